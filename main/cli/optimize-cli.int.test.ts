import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResultSchema } from '../../shared/schemas/models';
import { runEdgefleet } from '../../test/fixtures/cli';
import { buildMlp, writeTestModel } from '../../test/models';

let work: string;
let dataDir: string;

const edgefleet = (args: string[]) => runEdgefleet(dataDir, args);

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

  it('static INT8 says where rounding noise is made and how much of it reaches the output', () => {
    const text = edgefleet([
      'optimize',
      'mlp',
      '--method',
      'int8-static',
      '--calibration',
      'random',
      '--name',
      'mlp-s8-noise',
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/TENSOR +PRODUCER +SQNR dB +ROUNDING dB/);
    expect(text.stdout).toMatch(
      /Rounding noise: \d+ activations, median [\d.]+ dB each alone, [\d.]+ dB summed; [\d.]+ dB at the output \(the network (damps it by|amplifies it by) [\d.]+ dB\)/,
    );
    const json = edgefleet(['--json', 'models', 'show', 'mlp-s8-noise']);
    expect(json.code).toBe(0);
    const fidelity = (
      JSON.parse(json.stdout) as {
        report: { fidelity: { tensors: { roundingSqnrDb: number | null }[]; noiseBudget: unknown } };
      }
    ).report.fidelity;
    expect(fidelity.tensors.length).toBeGreaterThan(0);
    expect(fidelity.tensors.every((t) => typeof t.roundingSqnrDb === 'number')).toBe(true);
    expect(fidelity.noiseBudget).toMatchObject({ tensors: fidelity.tensors.length });
  });

  it('static INT8 is per-channel by default when the opset allows it; --per-tensor forces per tensor', () => {
    const perChannelDefault = edgefleet([
      '--json',
      'optimize',
      'mlp',
      '--method',
      'int8-static',
      '--calibration',
      'random',
    ]);
    expect(perChannelDefault.code).toBe(0);
    const axes = (stdout: string) =>
      (importResultSchema.parse(JSON.parse(stdout)).model.recipe as { config: { perChannel?: boolean } })
        .config.perChannel;
    expect(axes(perChannelDefault.stdout)).toBeUndefined();
    const perTensor = edgefleet([
      '--json',
      'optimize',
      'mlp',
      '--method',
      'int8-static',
      '--calibration',
      'random',
      '--per-tensor',
      '--name',
      'mlp-pt',
    ]);
    expect(perTensor.code).toBe(0);
    expect(axes(perTensor.stdout)).toBe(false);
    expect(edgefleet(['optimize', 'mlp', '--method', 'fp16', '--per-tensor']).code).toBe(2);
  });

  it('auto: a goal that cannot parse exits 2 with the grammar; auto flags on other methods exit 2', () => {
    const bad = edgefleet(['--json', 'optimize', 'mlp', '--method', 'auto', '--goal', 'cosine>0.99']);
    expect(bad.code).toBe(2);
    const error = (JSON.parse(bad.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('GOAL_INVALID');
    expect(error.message).toContain('TERM = cosine>=C');
    expect(edgefleet(['optimize', 'mlp', '--method', 'fp16', '--goal', 'cosine>=0.99']).code).toBe(2);
    expect(edgefleet(['optimize', 'mlp', '--method', 'auto', '--budget-minutes', '0']).code).toBe(2);
  });

  it('auto: prints the verdict, the candidates and the per-node table', () => {
    const r = edgefleet([
      'optimize',
      'mlp',
      '--method',
      'auto',
      '--calibration',
      'random',
      '--budget-minutes',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(Recommended: |No variant that meets|Goal not met)/m);
    expect(r.stdout).toMatch(/Candidates \(goal cosine>=0\.999/);
    expect(r.stdout).toMatch(/int8-static/);
    expect(r.stdout).toMatch(/Measured on this machine/);
    expect(r.stdout).toMatch(/Stored first: /);
  });
});
