import { TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { createModelBuilder } from '../../onnx';
import { createRng, gaussian } from '../../../../test/models';
import { AppError } from '../../../../shared/errors';
import { arrayMinMax } from '../quant/quant-math';
import { createCollector } from './collectors';
import { StreamingHistogram } from './histogram';
import { float32Samples, memorySampleSource } from './memory-source';
import { calibrateTensors } from './run-calibration';
import { bestEntropyHalfWidth, entropyRange, percentileRange } from './thresholds';

/** A N(0, 1) bulk of 200k values plus 20 outliers at ±50 (a 50σ range that MinMax would spend its bins on). */
function gaussianWithOutliers(): Float32Array {
  const data = gaussian(createRng(21), 200_000);
  for (let i = 0; i < 20; i++) data[i * 997] = i % 2 ? 50 : -50;
  return data;
}

describe('StreamingHistogram', () => {
  it('keeps its bin count and every value when the range grows (pairs merge exactly)', () => {
    const rng = createRng(2);
    const h = new StreamingHistogram('signed', 64);
    const a = Float32Array.from({ length: 1000 }, () => rng() * 2 - 1);
    const b = Float32Array.from({ length: 1000 }, () => (rng() * 2 - 1) * 7);
    h.add(a);
    expect(h.threshold).toBeCloseTo(Math.max(...a.map(Math.abs)), 6);
    h.add(b);
    expect(h.counts.length).toBe(64);
    expect(h.counts.reduce((x, y) => x + y, 0)).toBe(2000);
    expect(h.threshold).toBeGreaterThanOrEqual(Math.max(...b.map(Math.abs)));
    // Binning everything again over the final range gives the same histogram (up to edge rounding).
    const direct = new Float64Array(64);
    for (const v of [...a, ...b]) {
      direct[Math.min(63, Math.floor(((v + h.threshold) / (2 * h.threshold)) * 64))]!++;
    }
    const diff = direct.reduce((s, d, i) => s + Math.abs(d - h.counts[i]!), 0);
    expect(diff).toBeLessThanOrEqual(4);
    expect(h.min).toBe(Math.min(...a, ...b));
    expect(h.max).toBe(Math.max(...a, ...b));
  });

  it('bins zeros seen before any range, and counts NaN/Inf apart', () => {
    const h = new StreamingHistogram('abs', 16);
    h.add(new Float32Array(10));
    h.add(Float32Array.from([NaN, 4, -2, Infinity]));
    expect(h.threshold).toBe(4);
    expect(h.nonFinite).toBe(2);
    expect(h.counts[0]).toBe(10);
    expect(h.counts.reduce((x, y) => x + y, 0)).toBe(12);
  });
});

describe('calibrators on synthetic distributions', () => {
  it('minmax: min of mins, max of maxes', () => {
    const c = createCollector('minmax');
    if (c.kind !== 'minmax') throw new Error('expected minmax');
    c.add('t', -1, 2);
    c.add('t', -3, 1);
    c.add('u', 0, 0);
    c.add('bad', -Infinity, 1);
    const { ranges, nonFinite } = c.result();
    expect(ranges.get('t')).toEqual({ min: -3, max: 2 });
    expect(ranges.get('u')).toEqual({ min: 0, max: 0 });
    expect(ranges.has('bad')).toBe(false);
    expect(nonFinite).toEqual(['bad']);
  });

  it('uniform data: percentile 100 and entropy keep (nearly) the whole range', () => {
    const rng = createRng(4);
    const data = Float32Array.from({ length: 100_000 }, () => rng() * 6 - 3);
    const max = Math.max(...data.map(Math.abs));
    const abs = new StreamingHistogram('abs', 2048);
    abs.add(data);
    const p100 = percentileRange(abs, 100);
    expect(p100.max).toBeCloseTo(Math.max(...data), 6);
    expect(p100.min).toBeCloseTo(Math.min(...data), 6);
    const p99 = percentileRange(abs, 99);
    expect(p99.max).toBeGreaterThan(0.985 * max);
    expect(p99.max).toBeLessThan(0.995 * max);
    const signed = new StreamingHistogram('signed', 2048);
    signed.add(data);
    const e = entropyRange(signed);
    expect(e.max).toBeGreaterThan(0.9 * max);
  });

  it('gaussian with huge outliers: percentile and entropy clip the outliers, minmax does not', () => {
    const data = gaussianWithOutliers();
    const mm = createCollector('minmax');
    if (mm.kind !== 'minmax') throw new Error('expected minmax');
    const { min, max } = arrayMinMax(data);
    mm.add('t', min, max);
    expect(mm.result().ranges.get('t')).toEqual({ min: -50, max: 50 });

    for (const calibrator of ['percentile', 'entropy'] as const) {
      const c = createCollector(calibrator, { percentile: 99.99 });
      if (c.kind !== 'values') throw new Error('expected a histogram collector');
      // Streamed in 4 chunks, as 4 samples would arrive.
      for (let k = 0; k < 4; k++) c.add('t', data.subarray(k * 50_000, (k + 1) * 50_000));
      const r = c.result().ranges.get('t')!;
      // N(0,1): 99.99 % of |x| lies within 3.89; KL trades a few clipped values for resolution (≈ 3.4σ).
      expect(r.max).toBeGreaterThan(calibrator === 'percentile' ? 3.8 : 3);
      expect(r.max).toBeLessThan(calibrator === 'percentile' ? 4.5 : 15);
      expect(r.min).toBeCloseTo(-r.max, 6);
    }
  });

  it('tiny hand case: a bump around 0 and one far outlier → the narrowest window wins', () => {
    // 16 bins, 4 quant bins. Window ±2 bins: p = [500, 1000, 1000, 501] (outlier folded in), q = [500, 1000,
    // 1000, 500]: KL ≈ 2.6e-7. Full window: groups of 4 bins spread 1500 over 2 non-zero bins each, q = 750
    // where p = 500 or 1000: KL ≈ 0.057. Windows ±3…±7 merge unequal bins too.
    const counts = new Float64Array(16);
    counts[6] = 500;
    counts[7] = 1000;
    counts[8] = 1000;
    counts[9] = 500;
    counts[15] = 1;
    expect(bestEntropyHalfWidth(counts, 4)).toBe(2);
  });
});

describe('calibrateTensors with ONNX Runtime', () => {
  // x → Relu → r; x → Mul(x, 3) → m (graph output m only).
  const model = createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, ['n', 4])
    .output('m', DT.FLOAT, ['n', 4])
    .initializer('three', DT.FLOAT, [], Float32Array.from([3]))
    .node('Relu', ['x'], ['r'])
    .node('Mul', ['r', 'three'], ['m'])
    .build();
  const rng = createRng(8);
  const samples = float32Samples('x', [2, 4], 5, () => rng() * 4 - 1);
  const all = samples.flatMap((s) => [...(s.x!.data as Float32Array)]);
  const source = memorySampleSource(samples, { random: true });

  it('minmax: exact ranges of inputs, intermediates and outputs; progress per sample', async () => {
    const reports: string[] = [];
    const result = await calibrateTensors(model, ['x', 'r', 'm'], source, {
      calibrator: 'minmax',
      signal: new AbortController().signal,
      progress: (r) => reports.push(`${r.phase} ${r.percent} ${r.message}`),
    });
    const xmin = Math.min(...all);
    const xmax = Math.max(...all);
    expect(result.ranges.get('x')).toEqual({ min: xmin, max: xmax });
    expect(result.ranges.get('r')).toEqual({ min: Math.max(0, xmin), max: xmax });
    expect(result.ranges.get('m')!.max).toBe(Math.fround(xmax * 3));
    expect(result.samples).toBe(5);
    expect(result.tensors).toBe(3);
    expect(reports[0]).toBe('calibrating 0 sample 0/5, 3 tensors');
    expect(reports.at(-1)).toBe('calibrating 100 sample 5/5, 3 tensors');
    expect(model.graph!.output.length).toBe(1);
  });

  it('percentile 100 and entropy see the same tensors through ORT', async () => {
    for (const calibrator of ['percentile', 'entropy'] as const) {
      const result = await calibrateTensors(model, ['x', 'r'], source, {
        calibrator,
        percentile: 100,
        signal: new AbortController().signal,
      });
      const r = result.ranges.get('r')!;
      expect(r.min).toBe(0);
      expect(r.max).toBeGreaterThan(0.9 * Math.max(...all));
      expect(r.max).toBeLessThanOrEqual(Math.max(...all));
    }
  });

  it('stops with CANCELLED when the signal is aborted after the first report', async () => {
    const controller = new AbortController();
    let reports = 0;
    const run = calibrateTensors(model, ['x'], source, {
      calibrator: 'minmax',
      signal: controller.signal,
      progress: () => {
        reports++;
        controller.abort();
      },
    });
    await expect(run).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'CANCELLED');
    expect(reports).toBe(1);
  });

  it('refuses a sample that lacks a model input', async () => {
    const wrong = memorySampleSource(float32Samples('y', [2, 4], 1, () => 0));
    await expect(
      calibrateTensors(model, ['x'], wrong, { calibrator: 'minmax', signal: new AbortController().signal }),
    ).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'DATA_SHAPE_MISMATCH');
  });
});
