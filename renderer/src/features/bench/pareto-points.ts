import type { NumberedPoint } from '../../components/chart/numbered-points';
import {
  formatCosine,
  formatDb,
  formatMs,
  formatPercent,
} from '../../components/variant-report/report-grades';
import { formatBytes } from '../../lib/format';
import { metricLabels, type ChartPoint, type Threshold } from './bench-results';
import type { FidelityScale } from './fidelity-scale';

/** A chart point with its number in the key and the metric's own value (its `fidelity` is the plotted one). */
export type ParetoPoint = ChartPoint & { n: number; metricValue: number };

/** A fidelity figure in the metric's own terms; the reference is "exact" (its error has no finite figure). */
export function formatMetric(metric: Threshold['metric'], value: number, exact: boolean): string {
  if (exact) return 'exact';
  if (metric === 'sqnr') return formatDb(value);
  if (metric === 'top1') return formatPercent(value);
  return formatCosine(value);
}

/** What the key says of a point, in words (the chart's marks say it in shape and colour only). */
export function pointStatus(p: Pick<ParetoPoint, 'exact' | 'recommended' | 'passes'>): string {
  if (p.exact) return 'reference';
  if (p.recommended) return 'recommended';
  return p.passes ? 'meets goal' : 'below goal';
}

/** Numbers the points 1…n (as in the key) and moves their fidelity onto the chart's axis. */
export function numberPoints(raw: readonly ChartPoint[], y: Pick<FidelityScale, 'plot'>): ParetoPoint[] {
  return raw.map((p, i) => ({
    ...p,
    n: i + 1,
    metricValue: p.fidelity,
    fidelity: y.plot(p.fidelity, p.exact),
  }));
}

/** The front's vertices from fast to slow, so its line is drawn left to right. */
export function frontLine(points: readonly ParetoPoint[]): ParetoPoint[] {
  return points.filter((p) => p.onFront).sort((a, b) => a.latencyMs - b.latencyMs);
}

/** The marks drawn on the chart, each with a title that repeats its row of the key. */
export function chartMarks(points: readonly ParetoPoint[], threshold: Threshold): NumberedPoint[] {
  const metric = metricLabels[threshold.metric].toLowerCase();
  return points.map((p) => ({
    key: p.id,
    label: String(p.n),
    x: p.latencyMs,
    y: p.fidelity,
    mark: p.exact ? 'reference' : p.passes ? 'good' : 'bad',
    ringed: p.recommended,
    title: `${p.n}. ${p.name}: p50 ${formatMs(p.latencyMs)}, ${metric} ${formatMetric(threshold.metric, p.metricValue, p.exact)}, ${formatBytes(p.sizeBytes)}`,
    data: { testid: 'pareto-point', 'model-id': p.id, recommended: p.recommended, n: String(p.n) },
  }));
}
