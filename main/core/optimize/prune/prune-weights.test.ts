import type { ModelProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { buildBenchConvNet } from '../../../../bench/bench-models';
import { buildSmallCnn } from '../../../../test/models';
import { randomFeeds, runOrt } from '../../../../test/models/ort';
import { encodeModel, tensorToTypedArray } from '../../onnx';
import { pruneWeights } from './prune-weights';

const weights = (m: ModelProto, name: string) =>
  tensorToTypedArray(m.graph!.initializer.find((t) => t.name === name)!) as Float32Array;
const zeros = (a: Float32Array) => a.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);

describe('prune-weights', () => {
  it('zeroes the smallest weights per layer, skipping the first and last layers', async () => {
    const parent = buildBenchConvNet();
    const before = weights(parent, 'conv3.weight').slice();
    const { model, report, warnings } = await pruneWeights(parent, { sparsity: 0.8, scope: 'per-layer' });

    const byTensor = new Map(report.layers.map((l) => [l.tensor, l]));
    expect(byTensor.get('conv1.weight')!.skipped).toBe('first layer');
    expect(byTensor.get('fc.weight')!.skipped).toBe('last layer');
    expect(zeros(weights(model, 'conv1.weight'))).toBe(0);
    for (const name of ['conv2.weight', 'conv3.weight', 'conv4.weight', 'conv5.weight']) {
      const w = weights(model, name);
      expect(zeros(w)).toBe(Math.floor(0.8 * w.length));
      expect(byTensor.get(name)!.sparsity).toBeCloseTo(0.8, 3);
    }
    // The kept weights are the largest ones.
    const pruned = weights(model, 'conv3.weight');
    const smallestKept = Math.min(...[...pruned].filter((v) => v !== 0).map(Math.abs));
    const largestDropped = Math.max(...[...before].filter((_, i) => pruned[i] === 0).map(Math.abs));
    expect(smallestKept).toBeGreaterThanOrEqual(largestDropped);
    // The input model is left as it was.
    expect(weights(parent, 'conv3.weight')).toEqual(before);

    const sizes = report.sizeBytes;
    expect(sizes.pruned.plain).toBeGreaterThan(0.95 * sizes.dense.plain);
    expect(sizes.pruned.gzip).toBeLessThan(0.6 * sizes.dense.gzip);
    expect(sizes.pruned.zstd).not.toBeNull();
    expect(sizes.pruned.zstd!).toBeLessThan(0.5 * sizes.dense.zstd!);
    expect(warnings.join(' ')).toMatch(/no speed-up in ONNX Runtime on CPU/);

    const out = await runOrt(encodeModel(model), randomFeeds(model, 3));
    expect(out.logits!.dims).toEqual([1, 100]);
  });

  it('uses one threshold over all layers with --global, reaching the sparsity overall', async () => {
    const { report } = await pruneWeights(buildBenchConvNet(), { sparsity: 0.5 });
    const pruned = report.layers.filter((l) => !l.skipped);
    const total = pruned.reduce((n, l) => n + l.params, 0);
    expect(pruned.reduce((n, l) => n + l.zeros, 0)).toBe(Math.floor(0.5 * total));
    expect(new Set(pruned.map((l) => l.sparsity.toFixed(3))).size).toBeGreaterThan(1);
  });

  it('refuses a sparsity outside (0, 1) and a model with nothing left to prune', async () => {
    for (const sparsity of [0, 1, 2]) {
      await expect(pruneWeights(buildSmallCnn(), { sparsity })).rejects.toMatchObject({
        code: 'PRUNE_CONFIG_INVALID',
      });
    }
    // Three weighted layers, two skipped, one excluded.
    const err = await pruneWeights(buildSmallCnn(), { sparsity: 0.5, exclude: ['Conv'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('NOTHING_TO_PRUNE');
    expect((err as AppError).message).toMatch(/first layer|last layer|excluded/);
  });
});
