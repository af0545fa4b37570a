import { describe, expect, it } from 'vitest';
import type { ChartPoint } from './bench-results';
import { chartMarks, formatMetric, frontLine, numberPoints, pointStatus } from './pareto-points';

const point = (
  id: string,
  latencyMs: number,
  fidelity: number,
  extra: Partial<ChartPoint> = {},
): ChartPoint => ({
  id,
  name: id,
  latencyMs,
  fidelity,
  exact: false,
  sizeBytes: 1024,
  passes: true,
  onFront: false,
  recommended: false,
  ...extra,
});

describe('pareto points', () => {
  it('formats each metric in its own terms, the reference as exact', () => {
    expect(formatMetric('sqnr', 31.25, false)).toBe('31.3 dB');
    expect(formatMetric('top1', 0.985, false)).toBe('98.5 %');
    expect(formatMetric('cosine', 0.99995, false)).toBe('0.999950');
    expect(formatMetric('cosine', 1, true)).toBe('exact');
  });

  it('says in words what each mark means', () => {
    expect(pointStatus({ exact: true, recommended: false, passes: true })).toBe('reference');
    expect(pointStatus({ exact: false, recommended: true, passes: true })).toBe('recommended');
    expect(pointStatus({ exact: false, recommended: false, passes: true })).toBe('meets goal');
    expect(pointStatus({ exact: false, recommended: false, passes: false })).toBe('below goal');
  });

  it('numbers points as in the key, plots their fidelity and joins the front from fast to slow', () => {
    const points = numberPoints(
      [point('slow', 9, 40, { onFront: true }), point('fast', 2, 30, { onFront: true }), point('bad', 5, 20)],
      { plot: (v) => v * 10 },
    );
    expect(points.map((p) => [p.n, p.metricValue, p.fidelity])).toEqual([
      [1, 40, 400],
      [2, 30, 300],
      [3, 20, 200],
    ]);
    expect(frontLine(points).map((p) => p.id)).toEqual(['fast', 'slow']);
  });

  it('titles each mark with its key row and carries the test ids e2e reads', () => {
    const [mark] = chartMarks(
      numberPoints([point('v1', 2, 31.25, { recommended: true })], { plot: (v) => v }),
      {
        metric: 'sqnr',
        min: 30,
      },
    );
    expect(mark).toMatchObject({
      label: '1',
      mark: 'good',
      ringed: true,
      title: '1. v1: p50 2.00 ms, sqnr 31.3 dB, 1 KiB',
      data: { testid: 'pareto-point', 'model-id': 'v1', recommended: true, n: '1' },
    });
  });
});
