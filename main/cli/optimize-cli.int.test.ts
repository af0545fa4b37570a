import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResultSchema } from '../../shared/schemas/models';
import { buildMlp, writeTestModel } from '../../test/models';

const bin = fileURLToPath(new URL('../../bin/edgefleet.js', import.meta.url));
let work: string;
let dataDir: string;

function edgefleet(args: string[]) {
  const r = spawnSync(process.execPath, [bin, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ef-cli-opt-'));
  dataDir = join(work, 'data');
  await writeTestModel(buildMlp(), join(work, 'mlp.onnx'));
  expect(edgefleet(['models', 'import', join(work, 'mlp.onnx'), '--name', 'mlp']).code).toBe(0);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('edgefleet optimize', () => {
  it('prints the new variant with its report as one JSON document', () => {
    const r = edgefleet(['--json', 'optimize', 'mlp', '--method', 'int8-dynamic', '--name', 'mlp-q']);
    expect(r.code).toBe(0);
    const result = importResultSchema.parse(JSON.parse(r.stdout));
    expect(result.model.name).toBe('mlp-q');
    expect(result.model.method).toBe('int8-dynamic');
    expect(result.model.report?.fidelity.outputs.length).toBeGreaterThan(0);
    expect(r.stderr).not.toContain('optimize:');
  });

  it('shows progress on stderr and a readable report on stdout', () => {
    const r = edgefleet(['optimize', 'mlp', '--method', 'fp16', '--exclude', 'Relu']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('optimize:');
    expect(r.stdout).toMatch(/Created variant: mlp-fp16/);
    expect(r.stdout).toMatch(/SQNR dB/);
  });

  it('exits 1 with a JSON error when static INT8 has no calibration data, and stores nothing', () => {
    const before = readdirSync(join(dataDir, 'models')).length;
    const r = edgefleet(['--json', 'optimize', 'mlp', '--method', 'int8-static']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'CALIBRATION_REQUIRED' } });
    expect(readdirSync(join(dataDir, 'models'))).toHaveLength(before);
  });

  it('exits 2 on usage errors: unknown method, an option of another method', () => {
    expect(edgefleet(['optimize', 'mlp', '--method', 'int4']).code).toBe(2);
    expect(edgefleet(['optimize', 'mlp']).code).toBe(2);
    const misplaced = edgefleet(['--json', 'optimize', 'mlp', '--method', 'fp16', '--calibrator', 'entropy']);
    expect(misplaced.code).toBe(2);
    expect(JSON.parse(misplaced.stdout)).toMatchObject({ error: { code: 'USAGE' } });
  });
});
