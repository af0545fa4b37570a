import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { benchReportSchema, hardwareProfileSchema } from '../../../shared/schemas/bench';
import { buildMlp, ocrModelPath, writeTestModel } from '../../../test/models';

const bin = fileURLToPath(new URL('../../../bin/edgefleet.js', import.meta.url));
let work: string;
let dataDir: string;

/** The real command, as a user's script runs it. */
function edgefleet(args: string[]) {
  const r = spawnSync(process.execPath, [bin, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, EDGEFLEET_HOME: '' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ef-cli-bench-'));
  dataDir = join(work, 'data');
  const model = join(work, 'mlp.onnx');
  await writeTestModel(buildMlp(), model);
  expect(edgefleet(['models', 'import', model, '--name', 'mlp']).code).toBe(0);
  expect(
    edgefleet(['models', 'import', ocrModelPath('ch_ppocr_mobile_v2.0_cls_infer.onnx'), '--name', 'cls'])
      .code,
  ).toBe(0);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('edgefleet profiles', () => {
  it('lists the catalog as JSON and as a table', () => {
    const json = edgefleet(['--json', 'profiles', 'list']);
    expect(json.code).toBe(0);
    const list = z.array(hardwareProfileSchema).parse(JSON.parse(json.stdout));
    expect(list.length).toBeGreaterThanOrEqual(10);
    const text = edgefleet(['profiles', 'list']);
    expect(text.stdout).toMatch(/^ID\s+NAME\s+ARCH/);
    expect(text.stdout).toContain('rpi5');
  });

  it('shows a profile with its sources', () => {
    const r = edgefleet(['profiles', 'show', 'rpi5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Raspberry Pi 5');
    expect(r.stdout).toContain('LPDDR4X-4267');
    expect(edgefleet(['profiles', 'show', 'nope']).code).toBe(1);
  });

  it('imports a file, and rejects a bad one naming the field and the reason', () => {
    const good = join(work, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        id: 'cli-board',
        name: 'CLI board',
        arch: 'x86_64',
        cpuModel: 'x',
        cores: 2,
        clockGHz: 2,
        features: ['avx2'],
        peakGflopsFp32PerThread: 64,
        peakGflopsFp32: 128,
        peakGopsInt8PerThread: 128,
        peakGopsInt8: 256,
        memoryBandwidthGBs: 20,
        ramGB: 8,
      }),
    );
    const ok = edgefleet(['profiles', 'import', good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('cli-board (added)');
    const bad = join(work, 'profiles.yaml');
    writeFileSync(bad, '- id: x1\n  name: X\n  peakGflopsFp32: -1\n');
    const r = edgefleet(['profiles', 'import', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error PROFILE_INVALID');
    expect(r.stderr).toContain('profiles.yaml: [0].peakGflopsFp32: expected a positive number');
  });
});

describe('edgefleet bench', () => {
  it('measures and estimates, printing one JSON report', () => {
    const r = edgefleet([
      '--json',
      'bench',
      'mlp',
      '--iterations',
      '10',
      '--threads',
      '1',
      '--profiles',
      'rpi4,rk3588',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = benchReportSchema.parse(JSON.parse(r.stdout));
    expect(report.results.map((x) => `${x.source}:${x.target.id}`)).toEqual([
      'measured:this-machine',
      'estimated:rpi4',
      'estimated:rk3588',
    ]);
    expect(report.results[0]?.measured?.latency.iterations).toBe(10);
    expect(report.estimatorError.rows).toHaveLength(1);
  }, 120_000);

  it('prints a table with measured and estimated rows, and takes --shape for free dims', () => {
    const r = edgefleet([
      'bench',
      'cls',
      '--shape',
      'x=1,3,48,192',
      '--duration',
      '0.2',
      '--threads',
      '1',
      '--profiles',
      'imx8mp',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cls\s+this machine\s+measured \(onnxruntime-node/);
    expect(r.stdout).toMatch(/cls\s+NXP i\.MX 8M Plus\s+estimated/);
    expect(r.stdout).toContain('Estimator on this machine');
  }, 120_000);

  it('explains usage mistakes and missing dimensions', () => {
    const both = edgefleet(['bench', 'mlp', '--iterations', '5', '--duration', '1']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Give --iterations or --duration, not both.');
    const dims = edgefleet(['bench', 'cls']);
    expect(dims.code).toBe(1);
    expect(dims.stderr).toContain('error DIM_REQUIRED');
    expect(dims.stderr).toContain('--dim p2o.DynamicDimension.1=<size>');
    const device = edgefleet(['bench', 'mlp', '--device', 'no-such-device']);
    expect(device.code).toBe(1);
    expect(device.stderr).toContain('no-such-device');
  });
});
