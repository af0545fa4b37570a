import type { BenchResult } from '../../../shared/schemas/bench';
import type { Model } from '../../../shared/schemas/models';
import type { VariantReport } from '../../../shared/schemas/optimize';
import { sampleModel } from './sample-model';

/** Small fixtures for the Benchmark page's unit tests: variants with reports, measured and estimated results. */

export function variant(
  id: string,
  parentId: string,
  fidelity: { sqnrDb: number | null; cosine: number | null; top1Agreement: number | null },
  patch: Partial<Model> = {},
): Model {
  const report: VariantReport = {
    pass: { method: 'fp16', converted: {}, skipped: [], calibration: null, warnings: [], durationMs: 1 },
    fidelity: {
      samples: 8,
      source: 'random',
      outputs: [{ name: 'logits', maxAbsError: 0, meanAbsError: 0, ...fidelity }],
      accuracy: null,
      tensors: [],
      sizeBytes: { parent: 100, variant: 50, ratio: 0.5 },
      latencyMs: { parent: 1, variant: 1, ratio: 1, runs: 3 },
      warnings: [],
    },
  };
  return sampleModel({
    id,
    name: id,
    parentId,
    method: 'fp16',
    report,
    importedAt: '2025-02-01T00:00:00.000Z',
    ...patch,
  });
}

const settings: BenchResult['settings'] = {
  threads: 1,
  optimizationLevel: 'all',
  warmupIterations: 5,
  stop: { kind: 'iterations', count: 10 },
  inputs: [{ name: 'input', dtype: 'float32', dims: [1, 3, 32, 32] }],
  inputData: { kind: 'random', seed: 1 },
};

export function measured(modelId: string, p50Ms: number, patch: Partial<BenchResult> = {}): BenchResult {
  return {
    id: `b_${modelId}_local_${p50Ms}`,
    createdAt: '2025-03-01T00:00:00.000Z',
    modelId,
    modelName: modelId,
    modelSha256: 'a'.repeat(64),
    source: 'measured',
    target: { kind: 'local', id: 'this-machine', label: 'this machine' },
    profileId: 'this-machine',
    settings,
    ortVersion: '1.30.0',
    runtime: 'onnxruntime-node',
    measured: {
      runtime: 'onnxruntime-node',
      ortVersion: '1.30.0',
      latency: {
        iterations: 10,
        meanMs: p50Ms,
        p50Ms,
        p90Ms: p50Ms * 1.2,
        p99Ms: p50Ms * 1.5,
        stdevMs: 0.01,
        minMs: p50Ms * 0.9,
        maxMs: p50Ms * 2,
        throughputPerSec: 1000 / p50Ms,
        totalMs: p50Ms * 10,
      },
      loadMs: 3,
      warmupMs: 1,
      peakRssBytes: 80e6,
      baselineRssBytes: 70e6,
    },
    estimate: null,
    predictedMs: null,
    ...patch,
  };
}

export function estimated(
  modelId: string,
  profileId: string,
  latencyMs: number,
  fits = true,
  patch: Partial<BenchResult> = {},
): BenchResult {
  return {
    ...measured(modelId, 1),
    id: `b_${modelId}_${profileId}_${latencyMs}`,
    source: 'estimated',
    target: { kind: 'profile', id: profileId, label: profileId.toUpperCase() },
    profileId,
    runtime: 'estimator',
    measured: null,
    estimate: {
      profileId,
      threads: 4,
      latencyMs,
      lowMs: latencyMs * 0.65,
      highMs: latencyMs * 1.35,
      breakdown: { computeBoundMs: latencyMs, memoryBoundMs: 0, overheadMs: 0 },
      gmacs: 0.5,
      memory: {
        weightsBytes: 1e4,
        peakActivationBytes: 1e4,
        runtimeOverheadBytes: 5e7,
        totalBytes: 6e7,
        ramBytes: fits ? 8e9 : 1e6,
        fits,
      },
      traits: { int8: false, fp16: true, int8MacFraction: 0, fp16WeightFraction: 1 },
      calibration: { fp32Efficiency: 0.5, int8Efficiency: 0.5, measuredAt: '2025-03-01T00:00:00.000Z' },
      correction: null,
      warnings: [{ code: 'FP16_NO_SPEEDUP', message: 'fp16 gives no speed-up here' }],
      unknownCostNodes: 0,
    },
    ...patch,
  };
}
