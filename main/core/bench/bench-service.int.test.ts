import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import type { BenchResult } from '../../../shared/schemas/bench';
import { benchReportSchema, benchResultSchema } from '../../../shared/schemas/bench';
import { buildMlp, buildSmallCnn, ocrModelPath } from '../../../test/models';
import { memoryDatabase } from '../../../test/fixtures/temp-db';
import { cleanUpAfter, tempDir } from '../../../test/fixtures/temp-dir';
import type { Database } from '../db/open-database';
import { createSilentLogger } from '../logger';
import { ModelRepository } from '../models/model-repository';
import { ModelService } from '../models/model-service';
import { encodeModel } from '../onnx';
import { ModelStore } from '../store/model-store';
import { BenchService } from './bench-service';
import { ProfileRepository } from './profiles/profile-repository';
import { BenchRepository, settingsKey } from './store/bench-repository';

type World = { work: string; db: Database; models: ModelService; repo: BenchRepository; bench: BenchService };

/**
 * This machine's calibration (ORT micro-runs, ~2 s) carried from one test's database to the next: a cache
 * only, a test that finds none calibrates, so no test depends on another's outcome.
 */
let calibrations: Record<string, unknown>[] = [];

/** A new data dir and database per test, with the MLP, the small CNN and PaddleOCR's classifier imported. */
async function newWorld(): Promise<World> {
  const work = tempDir('edgefleet-bench-service-test-');
  const db = memoryDatabase();
  const insert = db.prepare(
    'INSERT INTO bench_calibrations (id, created_at, host_key, threads, ort_version, json) ' +
      'VALUES (@id, @created_at, @host_key, @threads, @ort_version, @json)',
  );
  for (const row of calibrations) insert.run(row);
  // Runs before the database closes (cleanups run last-registered first).
  cleanUpAfter(() => {
    calibrations = db.prepare('SELECT * FROM bench_calibrations').all() as Record<string, unknown>[];
  });
  const logger = createSilentLogger();
  const models = new ModelService(new ModelRepository(db), new ModelStore(join(work, 'models')), logger);
  const repo = new BenchRepository(db);
  const bench = new BenchService(models, repo, new ProfileRepository(db), join(work, 'tmp'), logger, {
    calibrationEffort: 0.34,
  });
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(work, `${name}.onnx`);
    writeFileSync(path, bytes);
    return path;
  };
  await models.importFile(write('mlp', encodeModel(buildMlp())), { name: 'mlp' });
  await models.importFile(write('cnn', encodeModel(buildSmallCnn())), { name: 'cnn' });
  await models.importFile(ocrModelPath('ch_ppocr_mobile_v2.0_cls_infer.onnx'), { name: 'ocr-cls' });
  return { work, db, models, repo, bench };
}

describe('BenchService.run', () => {
  it('measures locally, estimates on profiles, stores every figure and reports the estimator error', async () => {
    const { bench } = await newWorld();
    const report = await bench.run(['mlp', 'cnn'], {
      profiles: ['rpi4', 'x86-ipc-avx512-vnni'],
      threads: 1,
      stop: { kind: 'iterations', count: 20 },
    });
    expect(benchReportSchema.parse(report)).toEqual(report);
    const measured = report.results.filter((r) => r.source === 'measured');
    const estimated = report.results.filter((r) => r.source === 'estimated');
    expect(measured.map((r) => r.modelName)).toEqual(['mlp', 'cnn']);
    expect(measured.every((r) => r.target.kind === 'local' && r.measured?.latency.iterations === 20)).toBe(
      true,
    );
    expect(measured.every((r) => r.settings.threads === 1 && r.settings.optimizationLevel === 'all')).toBe(
      true,
    );
    expect(estimated.map((r) => `${r.modelName}@${r.target.id}`)).toEqual([
      'mlp@rpi4',
      'mlp@x86-ipc-avx512-vnni',
      'cnn@rpi4',
      'cnn@x86-ipc-avx512-vnni',
    ]);
    // Estimates use the profile's cores unless --threads caps them; here 1 was asked.
    expect(estimated.every((r) => r.estimate?.threads === 1 && r.runtime === 'estimator')).toBe(true);
    expect(report.estimatorError.rows.map((r) => r.modelName)).toEqual(['mlp', 'cnn']);
    for (const row of report.estimatorError.rows) {
      expect(row.measuredMs).toBeGreaterThan(0);
      expect(Number.isFinite(row.errorPct)).toBe(true);
    }
    expect(report.estimatorError.medianAbsErrorPct).not.toBeNull();
    // Everything is in SQLite, newest first.
    const stored = bench.list({ model: 'mlp' });
    expect(stored.map((r) => r.id).sort()).toEqual(
      report.results
        .filter((r) => r.modelName === 'mlp')
        .map((r) => r.id)
        .sort(),
    );
  }, 30_000);

  it('keeps a variant’s history across runtime versions on a target', async () => {
    const { bench, repo } = await newWorld();
    await bench.run(['mlp'], { threads: 1, stop: { kind: 'iterations', count: 5 } });
    const first = bench.history('mlp', { kind: 'local', id: 'this-machine' });
    expect(first).toHaveLength(1);
    const [only] = first as [BenchResult];
    // The same variant measured with an older runtime (as an upgraded install would have in its database).
    const older = benchResultSchema.parse({
      ...only,
      id: 'b_older',
      createdAt: '2025-01-01T00:00:00.000Z',
      ortVersion: '1.17.3',
    });
    repo.insert(older);
    await bench.run(['mlp'], { threads: 1, stop: { kind: 'iterations', count: 5 } });
    const history = bench.history('mlp', { kind: 'local', id: 'this-machine' });
    expect(history.map((r) => r.ortVersion)).toEqual(['1.17.3', only.ortVersion, only.ortVersion]);
    expect(history[0]?.createdAt).toBe('2025-01-01T00:00:00.000Z');
    expect(new Set(history.map((r) => settingsKey(r.settings)))).toEqual(
      new Set([settingsKey(only.settings)]),
    );
  }, 30_000);

  it('needs a value for every free dimension before any work, and uses --dim/--shape values', async () => {
    const { bench } = await newWorld();
    const err = await bench.run(['ocr-cls'], { threads: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('DIM_REQUIRED');
    expect((err as AppError).message).toContain("symbolic dimension 'p2o.DynamicDimension.1' (axis 2)");
    expect((err as AppError).message).toContain('--dim p2o.DynamicDimension.1=<size>');

    const report = await bench.run(['ocr-cls'], {
      threads: 1,
      local: false,
      profiles: ['rpi5'],
      dims: { dims: { 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 } },
    });
    const [estimate] = report.results;
    expect(estimate?.settings.inputs).toEqual([{ name: 'x', dtype: 'float32', dims: [1, 3, 48, 192] }]);
    expect(estimate?.estimate?.gmacs).toBeGreaterThan(0.01);
  }, 30_000);

  it('feeds samples from data (here the data module’s seeded random set) instead of its own random inputs', async () => {
    const { bench } = await newWorld();
    const report = await bench.run(['mlp'], {
      threads: 1,
      stop: { kind: 'iterations', count: 6 },
      data: { kind: 'random', count: 3, seed: 2 },
    });
    const [measured] = report.results;
    expect(measured?.settings.inputData).toMatchObject({ kind: 'samples', count: 3 });
    expect(measured?.settings.inputs).toEqual([{ name: 'x', dtype: 'float32', dims: [4, 64] }]);
    expect(measured?.measured?.latency.iterations).toBe(6);
  }, 30_000);

  it('imports user profiles and estimates on them with --profiles all', async () => {
    const { bench, work } = await newWorld();
    const file = join(work, 'boards.yaml');
    writeFileSync(
      file,
      [
        '- id: lab-board',
        '  name: Lab board',
        '  arch: arm64',
        '  cpuModel: 2× Cortex-A53',
        '  cores: 2',
        '  clockGHz: 1.2',
        '  features: [neon]',
        '  peakGflopsFp32PerThread: 9.6',
        '  peakGflopsFp32: 19.2',
        '  peakGopsInt8PerThread: 19.2',
        '  peakGopsInt8: 38.4',
        '  memoryBandwidthGBs: 3.2',
        '  ramGB: 0.5',
        '',
      ].join('\n'),
    );
    expect(await bench.importProfiles(file)).toEqual({
      file,
      imported: [{ id: 'lab-board', action: 'added' }],
    });
    expect(bench.listProfiles().map((p) => p.id)).toContain('lab-board');
    const report = await bench.run(['cnn'], { profiles: 'all', local: false, threads: 1 });
    const targets = report.results.map((r) => r.target.id);
    expect(targets).toContain('lab-board');
    expect(targets).toContain('rpi3bplus');
    expect(targets.length).toBe(bench.listProfiles().length);
    expect(bench.removeProfile('lab-board')).toEqual({ id: 'lab-board' });
    expect(() => bench.removeProfile('rpi4')).toThrow(/built-in/);
  }, 30_000);

  it('removes a variant’s results with the variant', async () => {
    const { bench, models, db } = await newWorld();
    await bench.run(['cnn', 'mlp'], { profiles: ['rpi4'], local: false, threads: 1 });
    const before = bench.list({ model: 'cnn' }).length;
    expect(before).toBeGreaterThan(0);
    await models.remove('cnn');
    const rows = db
      .prepare('SELECT COUNT(*) AS n FROM bench_results WHERE json LIKE \'%"modelName":"cnn"%\'')
      .get() as {
      n: number;
    };
    expect(rows.n).toBe(0);
    expect(bench.list({ model: 'mlp' }).length).toBeGreaterThan(0);
  });
});
