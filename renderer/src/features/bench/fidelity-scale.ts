import type { FidelityMetric } from './bench-results';

/**
 * The fidelity axis of the Pareto chart. Cosines of useful variants all sit within 0.001 of 1, so a linear cosine
 * axis squeezes them into one line and prints ticks like 0.9985 / 1.000000. Instead cosine is drawn as its error
 * 1 − cos on a log scale, one decade per tick, labelled in "nines" (0.99, 0.999, 0.9999): every variant gets its
 * own height and every label has exactly the digits it needs. SQNR (dB) is already logarithmic: a linear axis on
 * whole-dB steps. Top-1 agreement is a share: a linear percent axis that never goes above 100 %.
 *
 * The reference (the original model) is exact: cosine error 0 and SQNR ∞ have no place on these axes, so it is
 * drawn on its own row just above the best variant, labelled "exact".
 *
 * Better is always up (the cosine axis is reversed: a small error is high), so "up and left is better" holds for
 * every metric.
 */
export type FidelityScale = {
  metric: FidelityMetric;
  kind: 'log' | 'linear';
  /** Plotted values run top-down (cosine error: smaller is better, drawn higher). */
  reversed: boolean;
  /** [low, high] in plotted units (for a reversed axis, high is drawn at the bottom). */
  domain: [number, number];
  ticks: number[];
  /** The plotted value of a metric value; `exact` for the reference. */
  plot: (value: number, exact?: boolean) => number;
  /** The label of a tick (in the metric's own terms: cosine, dB, %). */
  tick: (plotted: number) => string;
  /** The axis title, with its unit and how it is scaled. */
  title: string;
  /** The goal line's plotted position. */
  goal: number;
};

/** A cosine error below this is shown as this (float32 outputs cannot tell smaller errors apart). */
const cosineErrorFloor = 1e-9;

const round = (x: number) => Number(x.toPrecision(12));

/** "0.999" for 1e-3: as many nines as the decade has; 1e-1 → "0.9", 1 → "0". */
export function ninesLabel(error: number): string {
  const decades = Math.round(-Math.log10(error));
  if (decades <= 0) return '0';
  return `0.${'9'.repeat(decades)}`;
}

function cosineScale(values: readonly number[], goal: number): FidelityScale {
  const error = (cosine: number) => Math.min(1, Math.max(cosineErrorFloor, 1 - cosine));
  const errors = [...values.map(error), error(goal)];
  // Whole decades: the worst error's decade at the bottom, one decade above the best for the exact row.
  const worst = Math.min(0, Math.ceil(Math.log10(Math.max(...errors)) - 1e-9));
  const best = Math.floor(Math.log10(Math.min(...errors)) + 1e-9);
  const bottom = Math.max(worst, best + 1);
  const exactRow = best - 1;
  const ticks: number[] = [];
  for (let d = exactRow; d <= bottom; d++) ticks.push(round(10 ** d));
  const exactValue = ticks[0] ?? cosineErrorFloor;
  return {
    metric: 'cosine',
    kind: 'log',
    reversed: true,
    // Headroom above the exact row, so its marker and number are not cut by the plot's edge.
    domain: [round(exactValue / 2.5), round(10 ** bottom)],
    ticks,
    plot: (value, exact = false) => (exact ? exactValue : error(value)),
    tick: (plotted) => (plotted === exactValue ? 'exact' : ninesLabel(plotted)),
    title: 'Cosine to the parent (log scale of 1 − cos)',
    goal: error(goal),
  };
}

/** Round steps of 1, 2, 2.5 or 5 × 10ⁿ, about `count` of them over the span. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return round(([1, 2, 2.5, 5, 10].find((m) => m * power >= raw - 1e-12) ?? 10) * power);
}

function linearTicks(lo: number, hi: number, step: number): number[] {
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 1000; v += step) ticks.push(round(v));
  return ticks;
}

function sqnrScale(values: readonly number[], goal: number): FidelityScale {
  const all = [...values, goal];
  const lo0 = Math.min(...all);
  const hi0 = Math.max(...all);
  const step = Math.max(1, niceStep(hi0 - lo0 || 10, 4));
  const lo = Math.floor(lo0 / step) * step;
  const top = Math.ceil(hi0 / step) * step;
  // The exact reference (SQNR ∞) one step above the top tick.
  const exactValue = round(top + step);
  return {
    metric: 'sqnr',
    kind: 'linear',
    reversed: false,
    domain: [round(lo), round(exactValue + step * 0.4)],
    ticks: linearTicks(lo, exactValue, step),
    plot: (value, exact = false) => (exact || !Number.isFinite(value) ? exactValue : value),
    tick: (plotted) => (plotted === exactValue ? 'exact' : `${plotted} dB`),
    title: 'SQNR to the parent (dB)',
    goal,
  };
}

function top1Scale(values: readonly number[], goal: number): FidelityScale {
  const lo0 = Math.min(...values, goal);
  const step = niceStep(Math.max(1 - lo0, 0.001), 4);
  const lo = Math.max(0, Math.floor(lo0 / step) * step);
  const digits = Math.max(0, -Math.floor(Math.log10(step * 100) + 1e-9));
  return {
    metric: 'top1',
    kind: 'linear',
    reversed: false,
    domain: [round(lo), round(1 + step * 0.4)],
    ticks: linearTicks(lo, 1, step),
    // Exact agrees on every sample: 100 %, the same as a variant that does (the spread keeps both visible).
    plot: (value, exact = false) => (exact ? 1 : Math.min(1, value)),
    tick: (plotted) => `${(plotted * 100).toFixed(digits)} %`,
    title: 'Top-1 agreement with the parent (%)',
    goal,
  };
}

/**
 * The axis for one chart. `values` are the variants' measured figures (the reference's exact value excluded),
 * `goal` the threshold, both in the metric's own units (cosine, dB, share 0..1).
 */
export function fidelityScale(
  metric: FidelityMetric,
  values: readonly number[],
  goal: number,
): FidelityScale {
  const finite = values.filter(Number.isFinite);
  if (metric === 'cosine') return cosineScale(finite, goal);
  if (metric === 'sqnr') return sqnrScale(finite, goal);
  return top1Scale(finite, goal);
}

/** Where a plotted value sits along the axis, 0 (bottom) to 1 (top): for spreading points that coincide. */
export function axisPosition(scale: FidelityScale, plotted: number): number {
  const [lo, hi] = scale.domain;
  const f =
    scale.kind === 'log'
      ? (Math.log10(plotted) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
      : (plotted - lo) / (hi - lo || 1);
  return scale.reversed ? 1 - f : f;
}

/**
 * The latency axis: from 0 on round steps, all labelled in one unit with the same decimals (ms, or µs when the
 * slowest is under 1 ms), so "0.50 ms" never sits next to "1 ms".
 */
export function latencyAxis(values: readonly number[]): {
  domain: [number, number];
  ticks: number[];
  tick: (ms: number) => string;
  unit: 'ms' | 'µs';
} {
  const max = Math.max(...values.filter(Number.isFinite), 0) || 1;
  const step = niceStep(max * 1.05, 4);
  const top = round(Math.ceil((max * 1.05) / step) * step);
  const unit = top < 1 ? 'µs' : 'ms';
  const shown = (ms: number) => (unit === 'µs' ? ms * 1000 : ms);
  const digits = Math.max(0, -Math.floor(Math.log10(shown(step)) + 1e-9));
  return {
    domain: [0, top],
    ticks: linearTicks(0, top, step),
    tick: (ms) => shown(ms).toFixed(digits),
    unit,
  };
}
