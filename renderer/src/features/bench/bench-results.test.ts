import { describe, expect, it } from 'vitest';
import { sampleModel } from '../../testing/sample-model';
import {
  chartPoints,
  fidelityOf,
  formatThreshold,
  groupByTarget,
  latestResults,
  meets,
  niceDomain,
  recommend,
  sourceBadge,
  type TargetGroup,
} from './bench-results';
import { estimated, measured, variant } from '../../testing/bench-results';

const parent = sampleModel({ id: 'cnn', name: 'cnn', sizeBytes: 8000 });
const fp16 = variant(
  'cnn-fp16',
  'cnn',
  { sqnrDb: 62, cosine: 0.999999, top1Agreement: 1 },
  { sizeBytes: 4000 },
);
const int8 = variant(
  'cnn-int8',
  'cnn',
  { sqnrDb: 24, cosine: 0.998, top1Agreement: 0.97 },
  { sizeBytes: 2500 },
);
const models = [parent, fp16, int8];

function group(results: Parameters<typeof groupByTarget>[0], i = 0): TargetGroup {
  const g = groupByTarget(results, models, { modelOrder: ['cnn', 'cnn-fp16', 'cnn-int8'] })[i];
  if (!g) throw new Error('no group');
  return g;
}

describe('fidelity', () => {
  it('treats an imported model as the exact reference and reads a variant’s worst output', () => {
    expect(fidelityOf(parent)).toEqual({ kind: 'reference' });
    expect(fidelityOf(int8)).toMatchObject({ kind: 'report', sqnrDb: 24, cosine: 0.998, source: 'random' });
    expect(fidelityOf(undefined)).toEqual({ kind: 'unknown' });
  });

  it('checks a threshold per metric and says why', () => {
    expect(meets(fidelityOf(parent), { metric: 'sqnr', min: 30 }).ok).toBe(true);
    expect(meets(fidelityOf(fp16), { metric: 'sqnr', min: 30 })).toEqual({
      ok: true,
      why: 'meets SQNR ≥ 30 dB',
    });
    expect(meets(fidelityOf(int8), { metric: 'cosine', min: 0.999 })).toEqual({
      ok: false,
      why: 'below cosine ≥ 0.999',
    });
    const noTop1 = variant('x', 'cnn', { sqnrDb: 40, cosine: 1, top1Agreement: null });
    expect(meets(fidelityOf(noTop1), { metric: 'top1', min: 0.99 })).toEqual({
      ok: false,
      why: 'no top-1 agreement figure in its report',
    });
    expect(formatThreshold({ metric: 'top1', min: 0.995 })).toBe('top-1 agreement ≥ 99.5 %');
  });
});

describe('grouping', () => {
  it('keeps the newest result per variant and target', () => {
    const old = measured('cnn', 5, { id: 'old', createdAt: '2025-01-01T00:00:00.000Z' });
    const fresh = measured('cnn', 4, { id: 'new', createdAt: '2025-06-01T00:00:00.000Z' });
    const other = estimated('cnn', 'rpi5', 2);
    expect(
      latestResults([old, fresh, other])
        .map((r) => r.id)
        .sort(),
    ).toEqual(['b_cnn_rpi5_2', 'new']);
  });

  it('puts this machine first, then profiles in catalog order, rows in library order, and marks the source', () => {
    const groups = groupByTarget(
      [
        estimated('cnn-int8', 'rpi5', 1),
        estimated('cnn', 'rpi4', 3),
        measured('cnn-fp16', 0.5),
        measured('cnn', 0.4),
        estimated('cnn', 'rpi5', 2),
      ],
      models,
      { modelOrder: ['cnn', 'cnn-fp16', 'cnn-int8'], profileOrder: ['rpi4', 'rpi5'] },
    );
    expect(groups.map((g) => [g.target.id, g.badge])).toEqual([
      ['this-machine', 'measured on this machine'],
      ['rpi4', 'estimated'],
      ['rpi5', 'estimated'],
    ]);
    expect(groups[0]?.rows.map((r) => [r.modelName, r.p50Ms, r.p90Ms])).toEqual([
      ['cnn', 0.4, 0.48],
      ['cnn-fp16', 0.5, 0.6],
    ]);
    const pi = groups[2]?.rows[0];
    expect(pi).toMatchObject({ source: 'estimated', p90Ms: null, lowMs: 1.3, fits: true, sizeBytes: 8000 });
    expect(pi?.warnings.map((w) => w.code)).toEqual(['FP16_NO_SPEEDUP']);
  });

  it('names the device a measurement was made on', () => {
    const onDevice = measured('cnn', 9, {
      target: { kind: 'device', id: 'pi-1', label: 'measured on pi-1' },
    });
    expect(sourceBadge(onDevice)).toBe('measured on pi-1');
  });
});

describe('recommendation', () => {
  it('picks the fastest variant that meets the threshold and fits', () => {
    const g = group([
      estimated('cnn', 'rpi5', 3),
      estimated('cnn-fp16', 'rpi5', 2),
      estimated('cnn-int8', 'rpi5', 1),
    ]);
    const strict = recommend(g, { metric: 'cosine', min: 0.999 });
    expect(strict.pick?.modelId).toBe('cnn-fp16');
    expect(strict.considered.map((c) => [c.row.modelId, c.ok])).toEqual([
      ['cnn-int8', false],
      ['cnn-fp16', true],
      ['cnn', true],
    ]);
    expect(recommend(g, { metric: 'sqnr', min: 20 }).pick?.modelId).toBe('cnn-int8');
    // Nothing but the reference meets an impossible bar: the original is then the answer.
    expect(recommend(g, { metric: 'sqnr', min: 1000 }).pick?.modelId).toBe('cnn');
  });

  it('never picks a variant that does not fit in memory, and says so', () => {
    const g = group([estimated('cnn', 'tiny', 3, false), estimated('cnn-fp16', 'tiny', 2, false)]);
    const r = recommend(g, { metric: 'cosine', min: 0.9 });
    expect(r.pick).toBeNull();
    expect(r.considered[0]?.why).toContain('does not fit');
  });
});

describe('Pareto chart points', () => {
  it('plots the exact reference above the best SQNR and marks the front and the pick', () => {
    const g = group([measured('cnn', 3), measured('cnn-fp16', 2), measured('cnn-int8', 2.5)]);
    const points = chartPoints(g, { metric: 'sqnr', min: 30 }, 'cnn-fp16');
    expect(points.map((p) => [p.id, p.fidelity, p.exact, p.onFront, p.passes, p.recommended])).toEqual([
      ['cnn', 72, true, true, true, false],
      ['cnn-fp16', 62, false, true, true, true],
      // Slower than fp16 and less faithful: dominated.
      ['cnn-int8', 24, false, false, false, false],
    ]);
    expect(points.map((p) => p.sizeBytes)).toEqual([8000, 4000, 2500]);
  });
});

describe('chart axis', () => {
  it('puts the fidelity axis on round numbers around the points and the threshold', () => {
    expect(niceDomain([62, 72, 24], 30)).toEqual([20, 80]);
    const [lo, hi] = niceDomain([0.99999, 1], 0.999);
    expect(lo).toBeLessThan(0.999);
    expect(hi).toBeGreaterThan(1);
    expect(hi - lo).toBeLessThan(0.01);
  });
});
