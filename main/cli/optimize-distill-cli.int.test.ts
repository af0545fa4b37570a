import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResultSchema } from '../../shared/schemas/models';
import { recipeSchema } from '../../shared/schemas/optimize';
import { runEdgefleet } from '../../test/fixtures/cli';
import { writeTestModel } from '../../test/models';
import { buildCnnClassifier } from '../../test/models/cnn-classifier';
import { writeNpy } from '../../test/fixtures/npy';
import { createRng, randomFloats } from '../../test/models/prng';

let work: string;
let dataDir: string;

const edgefleet = (args: string[]) => runEdgefleet(dataDir, args);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ef-cli-distill-'));
  dataDir = join(work, 'data');
  await writeTestModel(buildCnnClassifier({ size: 8, channels: [8, 8], hidden: 16 }), join(work, 'cnn.onnx'));
  await writeNpy(join(work, 'x.npy'), '<f4', [40, 1, 8, 8], randomFloats(createRng(2), 40 * 64, 1));
  writeFileSync(join(work, 'x.labels.txt'), Array.from({ length: 40 }, (_, i) => `${i % 10}\n`).join(''));
  expect(edgefleet(['models', 'import', join(work, 'cnn.onnx'), '--name', 'cnn']).code).toBe(0);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('edgefleet optimize --method distill / qat', () => {
  it('distils a width:0.5 student with per-epoch progress (loss, ETA) and a training report', () => {
    const r = edgefleet([
      'optimize',
      'cnn',
      '--method',
      'distill',
      '--student',
      'width:0.5',
      '--data',
      join(work, 'x.npy'),
      '--epochs',
      '2',
      '--temperature',
      '2',
      '--alpha',
      '0.7',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/training epoch 2\/2 .*loss \d+\.\d+ · ETA \d+ s/);
    expect(r.stdout).toMatch(/Created variant: cnn-distill/);
    const show = edgefleet(['--json', 'models', 'show', 'cnn-distill']);
    expect(show.stdout).toContain('"lossCurve"');
  });

  it('makes a QAT variant in QDQ form', () => {
    const r = edgefleet([
      '--json',
      'optimize',
      'cnn',
      '--method',
      'qat',
      '--data',
      join(work, 'x.npy'),
      '--epochs',
      '1',
      '--checks-per-epoch',
      '3',
    ]);
    expect(r.code).toBe(0);
    const result = importResultSchema.parse(JSON.parse(r.stdout));
    expect(result.model.method).toBe('qat');
    expect(result.model.report?.pass.training?.epochs).toBe(1);
    expect(recipeSchema.parse(result.model.recipe).config).toMatchObject({ checksPerEpoch: 3 });
  });

  it('refuses misplaced or bad options with exit 2 and stores nothing', () => {
    const before = readdirSync(join(dataDir, 'models')).length;
    const misplaced = edgefleet(['--json', 'optimize', 'cnn', '--method', 'fp16', '--student', 'self']);
    expect(misplaced.code).toBe(2);
    expect(JSON.parse(misplaced.stdout)).toMatchObject({ error: { code: 'USAGE' } });
    const checks = edgefleet(['--json', 'optimize', 'cnn', '--method', 'fp16', '--checks-per-epoch', '2']);
    expect(checks.code).toBe(2);
    expect(JSON.parse(checks.stdout).error.message).toContain('--checks-per-epoch');
    const badAlpha = edgefleet([
      'optimize',
      'cnn',
      '--method',
      'distill',
      '--data',
      join(work, 'x.npy'),
      '--alpha',
      '3',
    ]);
    expect(badAlpha.code).toBe(2);
    const noData = edgefleet(['--json', 'optimize', 'cnn', '--method', 'distill']);
    expect(JSON.parse(noData.stdout)).toMatchObject({ error: { code: 'CALIBRATION_REQUIRED' } });
    expect(readdirSync(join(dataDir, 'models'))).toHaveLength(before);
  });
});
