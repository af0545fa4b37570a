import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../../shared/errors';
import type { Model } from '../../../shared/schemas/models';
import { recipeSchema } from '../../../shared/schemas/optimize';
import { buildMlp, buildSmallCnn, writeTestModel } from '../../../test/models';
import { createSilentLogger } from '../logger';
import { createServices, type Services } from '../services';

let work: string;
let services: Services;
let mlp: Model;
let cnn: Model;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ef-opt-'));
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
  await writeTestModel(buildMlp(), join(work, 'mlp.onnx'));
  await writeTestModel(buildSmallCnn(), join(work, 'cnn.onnx'));
  mlp = (await services.models.importFile(join(work, 'mlp.onnx'))).model;
  cnn = (await services.models.importFile(join(work, 'cnn.onnx'))).model;
});
afterAll(async () => {
  await services.close();
  rmSync(work, { recursive: true, force: true });
});

const rows = () => services.models.list().length;
const storeFiles = () => readdirSync(services.store.dir).length;
const scratch = () => readdirSync(join(services.dataDir, 'tmp')).filter((n) => n.startsWith('optimize-'));

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(p).rejects.toSatisfy((e) => e instanceof AppError && e.code === code);
}

async function loadsInOrt(model: Model): Promise<void> {
  const session = await ort.InferenceSession.create(services.models.pathOf(model));
  await session.release();
}

// Each run starts a worker thread that loads the passes (seconds on a slow machine): 30 s, not the unit 10 s.
describe('optimize service (passes run in a worker thread)', { timeout: 30_000 }, () => {
  it('makes an int8-dynamic variant of the MLP with lineage, recipe and fidelity report', async () => {
    const phases = new Set<string>();
    const { model, existed } = await services.optimize.optimize(
      {
        model: mlp.name,
        options: { method: 'int8-dynamic', config: { perChannel: false, includeConv: false, exclude: [] } },
      },
      { onProgress: (p) => phases.add(p.phase) },
    );
    expect(existed).toBe(false);
    expect(model.parentId).toBe(mlp.id);
    expect(model.method).toBe('int8-dynamic');
    expect(model.name).toBe(`${mlp.name}-int8-dynamic`);
    const recipe = recipeSchema.parse(model.recipe);
    expect(recipe.parentSha256).toBe(mlp.sha256);
    expect(model.report?.fidelity.source).toBe('random');
    expect(model.report?.fidelity.outputs[0]?.cosine).toBeGreaterThan(0.99);
    expect(model.report?.fidelity.sizeBytes.ratio).toBeLessThan(0.5);
    expect(Object.keys(model.report?.pass.converted ?? {})).toContain('MatMul');
    expect(phases.size).toBeGreaterThan(1);
    await loadsInOrt(model);
    expect(services.models.get(model.id)).toEqual(model);
    expect(scratch()).toEqual([]);
  });

  it('makes an int8-static variant of the CNN on random calibration data, recording the data hash', async () => {
    const { model } = await services.optimize.optimize({
      model: cnn.id,
      name: 'cnn static',
      options: {
        method: 'int8-static',
        config: {
          calibrator: 'minmax',
          percentile: 99.999,
          perChannel: false,
          symmetricActivations: false,
          exclude: [],
        },
      },
      calibration: { kind: 'random', count: 8, seed: 3 },
    });
    expect(model.name).toBe('cnn static');
    const recipe = recipeSchema.parse(model.recipe);
    expect(recipe.calibration?.samples).toBe(8);
    expect(recipe.calibration?.sha256).toMatch(/\S+/);
    expect(model.report?.pass.calibration?.random).toBe(true);
    expect(model.report?.fidelity.warnings.join(' ')).toMatch(/random/i);
    await loadsInOrt(model);
  });

  it('makes an fp16 variant of half the size', async () => {
    const { model } = await services.optimize.optimize({
      model: cnn.id,
      options: { method: 'fp16', config: { keepIoTypes: true, exclude: [] } },
    });
    expect(model.report?.fidelity.outputs[0]?.cosine).toBeGreaterThan(0.999);
    expect(model.summary.weightBytesByDtype.map((w) => w.dtype)).toContain('float16');
    await loadsInOrt(model);
  });

  it('cancels mid-run and leaves no file, no row and no scratch behind', async () => {
    const before = { rows: rows(), files: storeFiles() };
    const controller = new AbortController();
    const run = services.optimize.optimize(
      {
        model: cnn.id,
        options: {
          method: 'int8-static',
          config: {
            calibrator: 'entropy',
            percentile: 99.999,
            perChannel: false,
            symmetricActivations: false,
            exclude: [],
          },
        },
        calibration: { kind: 'random', count: 64, seed: 5 },
      },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'calibrating') controller.abort();
        },
      },
    );
    await expectCode(run, 'CANCELLED');
    expect({ rows: rows(), files: storeFiles() }).toEqual(before);
    expect(scratch()).toEqual([]);
  });

  it('refuses bad requests clearly and stores nothing', async () => {
    const before = { rows: rows(), files: storeFiles() };
    await expectCode(
      services.optimize.optimize({
        model: 'no-such-model',
        options: { method: 'fp16', config: { keepIoTypes: true, exclude: [] } },
      }),
      'NOT_FOUND',
    );
    await expectCode(
      services.optimize.optimize({
        model: cnn.id,
        options: {
          method: 'int8-static',
          config: {
            calibrator: 'minmax',
            percentile: 99.999,
            perChannel: false,
            symmetricActivations: false,
            exclude: [],
          },
        },
      }),
      'CALIBRATION_REQUIRED',
    );
    await expectCode(
      services.optimize.optimize({
        model: cnn.id,
        options: {
          method: 'int8-static',
          config: {
            calibrator: 'minmax',
            percentile: 99.999,
            perChannel: false,
            symmetricActivations: false,
            exclude: [],
          },
        },
        calibration: { kind: 'npy', path: join(work, 'missing-folder') },
      }),
      'FILE_NOT_FOUND',
    );
    expect({ rows: rows(), files: storeFiles() }).toEqual(before);
    expect(scratch()).toEqual([]);
  });
});
