import type { BenchResult, BenchTarget } from '../../../../shared/schemas/bench';
import type { Model } from '../../../../shared/schemas/models';
import type { FidelityReport } from '../../../../shared/schemas/optimize';
import { summarizeOutputs } from '../../components/variant-report/report-grades';

/**
 * Benchmark results as the page shows them: grouped per target (this machine, a device, a profile), one row per
 * variant, each with its fidelity from the optimizer's report. Pure data, so the choices are unit-tested.
 */

export type FidelityMetric = 'cosine' | 'sqnr' | 'top1';

/** A variant's fidelity against its parent; an imported model is the reference the variants are compared to. */
export type Fidelity =
  | { kind: 'reference' }
  | {
      kind: 'report';
      sqnrDb: number | null;
      cosine: number | null;
      top1Agreement: number | null;
      source: FidelityReport['source'];
    }
  /** A variant whose report is missing (should not happen; shown, never recommended). */
  | { kind: 'unknown' };

export function fidelityOf(model: Model | undefined): Fidelity {
  if (!model) return { kind: 'unknown' };
  if (model.report === null) return model.parentId === null ? { kind: 'reference' } : { kind: 'unknown' };
  const { sqnrDb, cosine, top1Agreement } = summarizeOutputs(model.report.fidelity.outputs);
  return { kind: 'report', sqnrDb, cosine, top1Agreement, source: model.report.fidelity.source };
}

/** The metric's value; the reference is exact (cosine 1, top-1 100 %, SQNR ∞); null when not measured. */
function fidelityValue(fidelity: Fidelity, metric: FidelityMetric): number | null {
  if (fidelity.kind === 'reference') return metric === 'sqnr' ? Number.POSITIVE_INFINITY : 1;
  if (fidelity.kind === 'unknown') return null;
  return metric === 'sqnr' ? fidelity.sqnrDb : metric === 'cosine' ? fidelity.cosine : fidelity.top1Agreement;
}

export type Threshold = { metric: FidelityMetric; min: number };

export const defaultThresholds: Record<FidelityMetric, number> = { cosine: 0.999, sqnr: 30, top1: 0.99 };

export const metricLabels: Record<FidelityMetric, string> = {
  cosine: 'Cosine',
  sqnr: 'SQNR',
  top1: 'Top-1 agreement',
};

export function formatThreshold({ metric, min }: Threshold): string {
  if (metric === 'sqnr') return `SQNR ≥ ${min} dB`;
  if (metric === 'top1') return `top-1 agreement ≥ ${Number((min * 100).toFixed(2))} %`;
  return `cosine ≥ ${min}`;
}

/** Why a variant does or does not meet the threshold, in words for the recommendation panel. */
export function meets(fidelity: Fidelity, threshold: Threshold): { ok: boolean; why: string } {
  if (fidelity.kind === 'reference') return { ok: true, why: 'the original model (reference)' };
  const value = fidelityValue(fidelity, threshold.metric);
  if (value === null) {
    return {
      ok: false,
      why:
        fidelity.kind === 'unknown'
          ? 'no fidelity report'
          : `no ${metricLabels[threshold.metric].toLowerCase()} figure in its report`,
    };
  }
  return value >= threshold.min
    ? { ok: true, why: `meets ${formatThreshold(threshold)}` }
    : { ok: false, why: `below ${formatThreshold(threshold)}` };
}

export type ResultRow = {
  result: BenchResult;
  model: Model | undefined;
  modelId: string;
  modelName: string;
  source: 'measured' | 'estimated';
  /** Median latency: measured p50, or the estimate. */
  p50Ms: number | null;
  p90Ms: number | null;
  /** The estimator's band (±35 %), estimates only. */
  lowMs: number | null;
  highMs: number | null;
  /** Peak resident memory of the benchmark process (measured), or the estimated need. */
  memoryBytes: number | null;
  /** Measured: it ran (true). Estimated: the need fits the profile's RAM. */
  fits: boolean | null;
  ramBytes: number | null;
  sizeBytes: number | null;
  fidelity: Fidelity;
  warnings: { code: string; message: string }[];
};

export type TargetGroup = {
  key: string;
  target: BenchTarget;
  source: 'measured' | 'estimated';
  /** "measured on this machine", "measured on pi-kitchen", "estimated". */
  badge: string;
  rows: ResultRow[];
};

export const targetKey = (t: Pick<BenchTarget, 'kind' | 'id'>) => `${t.kind}:${t.id}`;

export function sourceBadge(result: Pick<BenchResult, 'source' | 'target'>): string {
  if (result.source === 'estimated') return 'estimated';
  return result.target.kind === 'device' ? `measured on ${result.target.id}` : 'measured on this machine';
}

/** The newest result per (variant, target): what a table of "the latest figures" shows. */
export function latestResults(results: readonly BenchResult[]): BenchResult[] {
  const newest = new Map<string, BenchResult>();
  for (const r of results) {
    const key = `${r.modelId}|${targetKey(r.target)}`;
    const seen = newest.get(key);
    if (!seen || r.createdAt > seen.createdAt) newest.set(key, r);
  }
  return [...newest.values()];
}

function rowOf(result: BenchResult, model: Model | undefined): ResultRow {
  const base = {
    result,
    model,
    modelId: result.modelId,
    modelName: model?.name ?? result.modelName,
    sizeBytes: model?.sizeBytes ?? null,
    fidelity: fidelityOf(model),
  };
  if (result.measured) {
    const { latency, peakRssBytes } = result.measured;
    return {
      ...base,
      source: 'measured',
      p50Ms: latency.p50Ms,
      p90Ms: latency.p90Ms,
      lowMs: null,
      highMs: null,
      memoryBytes: peakRssBytes,
      fits: true,
      ramBytes: null,
      warnings: [],
    };
  }
  const e = result.estimate;
  return {
    ...base,
    source: 'estimated',
    p50Ms: e?.latencyMs ?? null,
    p90Ms: null,
    lowMs: e?.lowMs ?? null,
    highMs: e?.highMs ?? null,
    memoryBytes: e?.memory.totalBytes ?? null,
    fits: e?.memory.fits ?? null,
    ramBytes: e?.memory.ramBytes ?? null,
    warnings: e?.warnings ?? [],
  };
}

const kindOrder: Record<BenchTarget['kind'], number> = { local: 0, device: 1, profile: 2 };

/**
 * Results grouped per target: this machine first, then devices, then profiles (in `profileOrder`, the catalog's
 * order); rows in `modelOrder` (the library's order: parent, then its variants).
 */
export function groupByTarget(
  results: readonly BenchResult[],
  models: readonly Model[],
  order: { modelOrder?: readonly string[]; profileOrder?: readonly string[] } = {},
): TargetGroup[] {
  const byId = new Map(models.map((m) => [m.id, m]));
  const groups = new Map<string, TargetGroup>();
  for (const result of results) {
    const key = `${targetKey(result.target)}|${result.source}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, target: result.target, source: result.source, badge: sourceBadge(result), rows: [] };
      groups.set(key, group);
    }
    group.rows.push(rowOf(result, byId.get(result.modelId)));
  }
  const rank = (list: readonly string[] | undefined, id: string) => {
    const i = list?.indexOf(id) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const out = [...groups.values()];
  for (const g of out) {
    g.rows.sort((a, b) => rank(order.modelOrder, a.modelId) - rank(order.modelOrder, b.modelId));
  }
  return out.sort(
    (a, b) =>
      kindOrder[a.target.kind] - kindOrder[b.target.kind] ||
      rank(order.profileOrder, a.target.id) - rank(order.profileOrder, b.target.id) ||
      a.target.label.localeCompare(b.target.label),
  );
}

export type Recommendation = {
  /** The fastest row that meets the threshold and fits; null when none does. */
  pick: ResultRow | null;
  /** Every row with the reason it was or was not chosen, fastest first. */
  considered: { row: ResultRow; ok: boolean; why: string }[];
};

export function recommend(group: TargetGroup, threshold: Threshold): Recommendation {
  const considered = group.rows
    .map((row) => {
      if (row.p50Ms === null) return { row, ok: false, why: 'no latency figure' };
      if (row.fits === false) return { row, ok: false, why: 'does not fit in the target’s memory' };
      return { row, ...meets(row.fidelity, threshold) };
    })
    .sort((a, b) => (a.row.p50Ms ?? Infinity) - (b.row.p50Ms ?? Infinity));
  return { pick: considered.find((c) => c.ok)?.row ?? null, considered };
}

export type ChartPoint = {
  id: string;
  name: string;
  latencyMs: number;
  /** The metric as plotted: an exact reference SQNR (∞) is drawn just above the best finite one. */
  fidelity: number;
  exact: boolean;
  sizeBytes: number;
  passes: boolean;
  onFront: boolean;
  recommended: boolean;
};

/**
 * Points of one target's Pareto chart (latency vs fidelity, size as the point size), with the front: the
 * variants no other variant beats on both latency (lower) and fidelity (higher). Rows without latency or the
 * metric are left out.
 */
export function chartPoints(group: TargetGroup, threshold: Threshold, pickId: string | null): ChartPoint[] {
  const raw = group.rows.flatMap((row) => {
    const value = fidelityValue(row.fidelity, threshold.metric);
    if (row.p50Ms === null || value === null) return [];
    return [{ row, value }];
  });
  const finite = raw.map((r) => r.value).filter((v) => Number.isFinite(v));
  const top = Math.max(threshold.metric === 'sqnr' ? threshold.min : 0, ...finite);
  const points = raw.map(({ row, value }) => ({
    id: row.modelId,
    name: row.modelName,
    latencyMs: row.p50Ms ?? 0,
    fidelity: Number.isFinite(value) ? value : top + 10,
    exact: !Number.isFinite(value),
    sizeBytes: row.sizeBytes ?? 0,
    passes: meets(row.fidelity, threshold).ok,
    onFront: false,
    recommended: row.modelId === pickId,
  }));
  for (const p of points) {
    p.onFront = !points.some(
      (q) =>
        q !== p &&
        q.latencyMs <= p.latencyMs &&
        q.fidelity >= p.fidelity &&
        (q.latencyMs < p.latencyMs || q.fidelity > p.fidelity),
    );
  }
  return points;
}

/**
 * A chart axis range on round steps (so its ticks are round too) with a little room around the points, always
 * including the threshold line.
 */
export function niceDomain(values: readonly number[], threshold: number): [number, number] {
  const lo = Math.min(threshold, ...values);
  const hi = Math.max(threshold, ...values);
  const span = hi - lo || Math.abs(hi) * 0.01 || 0.01;
  const raw = (span * 1.1) / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const round = (x: number) => Number(x.toPrecision(12));
  return [
    round(Math.floor((lo - span * 0.05) / step) * step),
    round(Math.ceil((hi + span * 0.05) / step) * step),
  ];
}
