import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import type { BenchSettings } from '../../../../shared/schemas/bench';
import { createModelBuilder, encodeModel } from '../../onnx';
import { fp32MatMulModel } from '../profiles/micro-models';
import { benchmarkLocal } from './local-runner';
import { latencyStats, percentile } from './latency-stats';

const work = mkdtempSync(join(tmpdir(), 'edgefleet-runner-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

/** Three chained 64×64 MatMuls on [8,64]: 3 · 8·64·64 = 98 304 MACs per run. */
function matmulChain(): Uint8Array {
  const w = new Float32Array(64 * 64).map((_, i) => ((i % 13) - 6) / 64);
  return encodeModel(
    createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, ['batch', 64])
      .output('y', DT.FLOAT, ['batch', 64])
      .initializer('w1', DT.FLOAT, [64, 64], w)
      .initializer('w2', DT.FLOAT, [64, 64], w)
      .initializer('w3', DT.FLOAT, [64, 64], w)
      .node('MatMul', ['x', 'w1'], ['h1'])
      .node('MatMul', ['h1', 'w2'], ['h2'])
      .node('MatMul', ['h2', 'w3'], ['y'])
      .build(),
  );
}

const settings = (over: Partial<BenchSettings> = {}): BenchSettings => ({
  threads: 1,
  optimizationLevel: 'all',
  warmupIterations: 3,
  stop: { kind: 'iterations', count: 40 },
  inputs: [{ name: 'x', dtype: 'float32', dims: [8, 64] }],
  inputData: { kind: 'random', seed: 1 },
  ...over,
});

async function expectAppError(p: Promise<unknown>, code: string): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

describe('latencyStats', () => {
  it('computes mean, percentiles (linear interpolation), sample stdev and throughput', () => {
    const s = latencyStats([4, 1, 3, 2, 5]);
    expect(s).toMatchObject({ iterations: 5, meanMs: 3, p50Ms: 3, minMs: 1, maxMs: 5, totalMs: 15 });
    expect(s.p90Ms).toBeCloseTo(4.6, 6);
    expect(s.p99Ms).toBeCloseTo(4.96, 6);
    expect(s.stdevMs).toBeCloseTo(Math.sqrt(2.5), 4);
    expect(s.throughputPerSec).toBeCloseTo(1000 / 3, 1);
    expect(percentile([7], 99)).toBe(7);
  });

  it('refuses an empty run', () => {
    expect(() => latencyStats([])).toThrow(AppError);
  });
});

describe('benchmarkLocal (child process, real ORT)', () => {
  const chain = write('chain.onnx', matmulChain());

  it('times a fixed number of iterations of a model of known cost', async () => {
    const run = await benchmarkLocal({ modelPath: chain, label: 'chain', settings: settings() });
    const l = run.latency;
    expect(run.runtime).toBe('onnxruntime-node');
    expect(run.ortVersion).toMatch(/^1\.\d+\.\d+/);
    expect(l.iterations).toBe(40);
    expect(l.minMs).toBeGreaterThan(0);
    expect(l.minMs).toBeLessThanOrEqual(l.p50Ms);
    expect(l.p50Ms).toBeLessThanOrEqual(l.p90Ms);
    expect(l.p90Ms).toBeLessThanOrEqual(l.p99Ms);
    expect(l.p99Ms).toBeLessThanOrEqual(l.maxMs);
    // meanMs is rounded to 0.1 µs: compare relatively.
    expect(Math.abs(l.throughputPerSec * l.meanMs - 1000) / 1000).toBeLessThan(0.005);
    // The timed loop holds the 40 runs (and a little bookkeeping between them).
    expect(l.totalMs).toBeGreaterThanOrEqual(l.meanMs * 40 * 0.999);
    expect(run.loadMs).toBeGreaterThan(0);
    expect(run.warmupMs).toBeGreaterThan(0);
    // The child's own peak: ORT loaded (> 20 MB), and at least what it had before the model.
    expect(run.baselineRssBytes).toBeGreaterThan(20 * 1024 ** 2);
    expect(run.peakRssBytes).toBeGreaterThanOrEqual(run.baselineRssBytes ?? 0);
  });

  it('runs for at least a minimum duration', async () => {
    const run = await benchmarkLocal({
      modelPath: chain,
      label: 'chain',
      settings: settings({ stop: { kind: 'duration', ms: 300, minIterations: 5 } }),
    });
    expect(run.latency.totalMs).toBeGreaterThanOrEqual(300);
    expect(run.latency.iterations).toBeGreaterThanOrEqual(5);
  });

  it('cycles through given samples', async () => {
    const sample = (v: number) => ({
      x: { type: 'float32', dims: [2, 64], data: new Float32Array(128).fill(v) },
    });
    const run = await benchmarkLocal({
      modelPath: chain,
      label: 'chain',
      settings: settings({
        inputs: [{ name: 'x', dtype: 'float32', dims: [2, 64] }],
        inputData: { kind: 'samples', sha256: 'test', count: 2 },
        stop: { kind: 'iterations', count: 6 },
      }),
      samples: [sample(0.5), sample(-1)],
    });
    expect(run.latency.iterations).toBe(6);
  });

  it('reports a model ORT cannot load as BENCH_FAILED with ORT’s message', async () => {
    const bad = write('bad.onnx', new TextEncoder().encode('this is not an onnx model'));
    const err = await expectAppError(
      benchmarkLocal({ modelPath: bad, label: 'bad.onnx', settings: settings() }),
      'BENCH_FAILED',
    );
    expect(err.message).toContain('could not load bad.onnx');
    expect(err.message.toLowerCase()).toContain('protobuf');
  });

  it('reports an inference failure (wrong input shape) as BENCH_FAILED', async () => {
    const err = await expectAppError(
      benchmarkLocal({
        modelPath: chain,
        label: 'chain',
        settings: settings({ inputs: [{ name: 'x', dtype: 'float32', dims: [8, 63] }] }),
      }),
      'BENCH_FAILED',
    );
    expect(err.message).toContain('failed running chain');
  });

  it('stops a run that exceeds its timeout (BENCH_TIMEOUT) and returns promptly', async () => {
    const big = write('big.onnx', encodeModel(fp32MatMulModel(512, 512, 512)));
    const started = performance.now();
    const err = await expectAppError(
      benchmarkLocal({
        modelPath: big,
        label: 'big',
        settings: settings({
          inputs: [{ name: 'x', dtype: 'float32', dims: [512, 512] }],
          stop: { kind: 'iterations', count: 1_000_000 },
        }),
        timeoutMs: 1500,
      }),
      'BENCH_TIMEOUT',
    );
    expect(err.message).toContain('within 2 s');
    expect(performance.now() - started).toBeLessThan(6000);
  });

  /** x [1] expanded to `elements` floats, then reduced: the Expand output is the whole allocation. */
  const expandModel = (elements: number) =>
    encodeModel(
      createModelBuilder({ opset: 13 })
        .input('x', DT.FLOAT, [1])
        .output('y', DT.FLOAT, [1])
        .initializer('shape', DT.INT64, [1], new BigInt64Array([BigInt(elements)]))
        .node('Expand', ['x', 'shape'], ['big'])
        .node('ReduceMax', ['big'], ['y'], { keepdims: 1 })
        .build(),
    );
  const oneFloat = settings({
    inputs: [{ name: 'x', dtype: 'float32', dims: [1] }],
    stop: { kind: 'iterations', count: 2 },
    warmupIterations: 0,
  });

  it('reports an allocation beyond the address-space limit as BENCH_OUT_OF_MEMORY', async () => {
    const huge = write('huge.onnx', expandModel(2 ** 31)); // 8 GiB of floats
    const err = await expectAppError(
      benchmarkLocal({
        modelPath: huge,
        label: 'huge',
        settings: oneFloat,
        memoryLimitBytes: 256 * 1024 ** 2,
      }),
      'BENCH_OUT_OF_MEMORY',
    );
    expect(err.message).toContain('ran out of memory (limit 256 MB)');
  });

  it('kills a child whose resident memory passes the limit (BENCH_OUT_OF_MEMORY)', async () => {
    const large = write('large.onnx', expandModel(150 * 1024 ** 2)); // 600 MB, under the address-space limit
    const err = await expectAppError(
      benchmarkLocal({
        modelPath: large,
        label: 'large',
        settings: oneFloat,
        memoryLimitBytes: 200 * 1024 ** 2,
      }),
      'BENCH_OUT_OF_MEMORY',
    );
    expect(err.message).toMatch(/resident memory reached \d+ MB/);
  });
});
