import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { createRng, randomFloats } from '../../../test/models/prng';
import { writeTestModel } from '../../../test/models';
import { createSilentLogger } from '../logger';
import { createServices, type Services } from '../services';
import { createModelBuilder } from './builder';

/**
 * Issue 15 item 6: a model whose input declares 0 or a huge size imports (with a warning), but optimize with
 * random data and a benchmark refuse it with INPUT_SHAPE_UNUSABLE naming the input and the size, before any
 * sample is allocated; never INTERNAL ("Array buffer allocation failed", ORT's "Invalid input shape").
 */

const work = mkdtempSync(join(tmpdir(), 'ef-input-dims-'));
let services: Services;

/** x [rows, 64] → MatMul 64→8 → y: quantizable, and ONNX Runtime loads it whatever `rows` says. */
function matmulModel(rows: number) {
  const rng = createRng(3);
  return createModelBuilder({ opset: 13, irVersion: 8, producer: { name: 'edgefleet-test', version: '1' } })
    .input('x', DT.FLOAT, [rows, 64])
    .output('y', DT.FLOAT, [rows, 8])
    .initializer('w', DT.FLOAT, [64, 8], randomFloats(rng, 64 * 8, 0.1))
    .node('MatMul', ['x', 'w'], ['y'])
    .build();
}

beforeAll(() => {
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
});
afterAll(async () => {
  await services.close();
  rmSync(work, { recursive: true, force: true });
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof AppError ? e : new AppError('INTERNAL', String(e))),
  );

describe('declared input sizes that no sample can have', { timeout: 60_000 }, () => {
  it.each([
    ['zero', 0],
    ['huge', 2147483647],
  ])(
    '%s: imports with a warning, then optimize (random data) and benchmark refuse naming the input',
    async (name, rows) => {
      const path = join(work, `${name}.onnx`);
      await writeTestModel(matmulModel(rows), path);
      const imported = await services.models.importFile(path, { name });
      expect(imported.warnings).toHaveLength(1);
      expect(imported.warnings?.[0]).toMatch(new RegExp(`Input 'x' declares dimension ${rows} at axis 0`));

      const before = services.models.list().length;
      const storeBefore = readdirSync(services.store.dir).length;
      const optimized = await codeOf(
        services.optimize.optimize({
          model: name,
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
          calibration: { kind: 'random', count: 4, seed: 1 },
        }),
      );
      expect(optimized).toMatchObject({
        code: 'INPUT_SHAPE_UNUSABLE',
        details: { input: 'x', axis: 0, dim: rows },
      });
      expect((optimized as AppError).message).toMatch(/--calibration/);

      const dynamic = await codeOf(
        services.optimize.optimize({
          model: name,
          options: { method: 'int8-dynamic', config: { perChannel: false, includeConv: false, exclude: [] } },
        }),
      );
      expect(dynamic).toMatchObject({ code: 'INPUT_SHAPE_UNUSABLE' });
      expect(services.models.list()).toHaveLength(before);
      expect(readdirSync(services.store.dir)).toHaveLength(storeBefore);

      const benched = await codeOf(
        services.bench.run([name], { threads: 1, stop: { kind: 'iterations', count: 2 } }),
      );
      expect(benched).toMatchObject({ code: 'INPUT_SHAPE_UNUSABLE', details: { input: 'x', dim: rows } });
      expect((benched as AppError).message).toMatch(/re-export/);
    },
  );
});
