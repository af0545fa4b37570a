// Slow: every case starts the real `edgefleet` command (tsx, ONNX Runtime) in a child process.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResultSchema } from '../../shared/schemas/models';
import { runEdgefleet } from '../../test/fixtures/cli';
import { buildSmallCnn, writeTestModel } from '../../test/models';
import { buildConvIntoReshape, buildConvToOutput, buildPruneZoo } from '../../test/models/prune-nets';

let work: string;
let dataDir: string;

const edgefleet = (args: string[]) => runEdgefleet(dataDir, args);
const stored = () => readdirSync(join(dataDir, 'models')).length;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ef-cli-prune-'));
  dataDir = join(work, 'data');
  await writeTestModel(buildPruneZoo(), join(work, 'zoo.onnx'));
  await writeTestModel(buildConvToOutput(), join(work, 'head.onnx'));
  await writeTestModel(buildConvIntoReshape(), join(work, 'reshape.onnx'));
  expect(edgefleet(['models', 'import', join(work, 'zoo.onnx'), '--name', 'zoo']).code).toBe(0);
  expect(edgefleet(['models', 'import', join(work, 'head.onnx'), '--name', 'head']).code).toBe(0);
  expect(edgefleet(['models', 'import', join(work, 'reshape.onnx'), '--name', 'reshape']).code).toBe(0);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('edgefleet optimize --method prune-channels / prune-weights', () => {
  it('prunes channels and prints the per-layer table with MACs and parameters', () => {
    const r = edgefleet([
      'optimize',
      'zoo',
      '--method',
      'prune-channels',
      '--ratio',
      '0.3',
      '--importance',
      'l2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Created variant: zoo-prune-channels/);
    expect(r.stdout).toMatch(/Channel pruning \(l2/);
    expect(r.stdout).toMatch(/LAYER +OP +OUT CH +IN CH +MACs/);
    expect(r.stdout).toMatch(/head +Conv +12 → 8/);
  });

  it('--latency-aware times channel counts here and says which plan it kept', () => {
    const r = edgefleet([
      'optimize',
      'zoo',
      '--method',
      'prune-channels',
      '--ratio',
      '0.3',
      '--latency-aware',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Latency-aware: \d+ channel counts timed/);
    expect(r.stdout).toMatch(/GROUP +CHANNELS +SAVED ms \(alone\)/);
  });

  it('prunes weights and reports compressed sizes with the no-speed-up warning, as JSON', () => {
    const r = edgefleet([
      '--json',
      'optimize',
      'zoo',
      '--method',
      'prune-weights',
      '--sparsity',
      '0.8',
      '--per-layer',
    ]);
    expect(r.code).toBe(0);
    const pruning = importResultSchema.parse(JSON.parse(r.stdout)).model.report?.pass.pruning;
    expect(pruning).toMatchObject({ kind: 'weights', scope: 'per-layer', sparsity: 0.8 });
    expect(
      JSON.stringify(importResultSchema.parse(JSON.parse(r.stdout)).model.report?.pass.warnings),
    ).toMatch(/no speed-up/);
  });

  it('prune-channels --fine-tune --data: the unpruned model teaches the pruned one, with a training report', async () => {
    await writeTestModel(buildSmallCnn(), join(work, 'cnn.onnx'));
    expect(edgefleet(['models', 'import', join(work, 'cnn.onnx'), '--name', 'cnn']).code).toBe(0);
    const r = edgefleet([
      '--json',
      'optimize',
      'cnn',
      '--method',
      'prune-channels',
      '--ratio',
      '0.3',
      '--fine-tune',
      '--epochs',
      '2',
      '--data',
      'random',
      '--random-samples',
      '24',
    ]);
    expect(r.code).toBe(0);
    const report = importResultSchema.parse(JSON.parse(r.stdout)).model.report!;
    expect(report.pass.training!.lossCurve).toHaveLength(2);
    expect(report.pass.training).toMatchObject({ student: 'pruned', samples: expect.any(Number) });
    expect(report.pass.training!.epochs).toBeGreaterThanOrEqual(1);
    expect(report.pass.training!.lossCurve.every(Number.isFinite)).toBe(true);
    expect(report.pass.pruning?.kind).toBe('channels');
    expect(report.pass.warnings.join(' ')).toMatch(/random data/);
  });

  it('refuses bad input with a code and stores nothing', () => {
    const before = stored();
    const bad = edgefleet(['--json', 'optimize', 'zoo', '--method', 'prune-channels', '--ratio', '1.5']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'USAGE' } });
    expect(JSON.parse(bad.stdout).error.message).toMatch(/greater than 0 and less than 1/);

    const output = edgefleet(['--json', 'optimize', 'head', '--method', 'prune-channels', '--ratio', '0.3']);
    expect(output.code).toBe(1);
    expect(JSON.parse(output.stdout)).toMatchObject({ error: { code: 'PRUNE_OUTPUT_CHANNELS' } });

    const tune = edgefleet([
      '--json',
      'optimize',
      'zoo',
      '--method',
      'prune-channels',
      '--ratio',
      '0.3',
      '--fine-tune',
    ]);
    expect(tune.code).toBe(2);
    expect(JSON.parse(tune.stdout).error.message).toMatch(/--fine-tune needs --data/);

    const epochs = edgefleet([
      '--json',
      'optimize',
      'zoo',
      '--method',
      'prune-channels',
      '--ratio',
      '0.3',
      '--epochs',
      '4',
    ]);
    expect(epochs.code).toBe(2);
    expect(JSON.parse(epochs.stdout).error.message).toMatch(/--epochs goes with --fine-tune/);

    const mixed = edgefleet([
      'optimize',
      'zoo',
      '--method',
      'prune-weights',
      '--sparsity',
      '0.5',
      '--ratio',
      '0.3',
    ]);
    expect(mixed.code).toBe(2);

    const aware = edgefleet([
      '--json',
      'optimize',
      'zoo',
      '--method',
      'prune-channels',
      '--target-macs',
      '0.5',
      '--latency-aware',
    ]);
    expect(aware.code).toBe(2);
    expect(JSON.parse(aware.stdout).error.message).toMatch(/--latency-aware goes with --ratio/);
    expect(stored()).toBe(before);
  });

  it('refuses a ratio of 0 or below and a model with no prunable group (naming the blocking op); stores nothing', () => {
    const before = stored();
    for (const ratio of ['0', '-0.2']) {
      const r = edgefleet(['--json', 'optimize', 'zoo', '--method', 'prune-channels', '--ratio', ratio]);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).error.message).toMatch(/greater than 0 and less than 1/);
    }

    const blocked = edgefleet([
      '--json',
      'optimize',
      'reshape',
      '--method',
      'prune-channels',
      '--ratio',
      '0.3',
    ]);
    expect(blocked.code).toBe(1);
    const blockedError = (JSON.parse(blocked.stdout) as { error: { code: string; message: string } }).error;
    expect(blockedError.code).toBe('NOTHING_TO_PRUNE');
    expect(blockedError.message).toMatch(/Reshape/);
    expect(stored()).toBe(before);
  }, 180_000); // three CLI runs (tsx + ONNX Runtime each) on a shared machine
});
