import type { FidelityReport, OutputFidelity, TensorFidelity } from '../../../../shared/schemas/optimize';

/** How a figure reads at a glance: colour of its card and the word screen readers hear. */
export type Grade = 'good' | 'fair' | 'poor' | 'neutral';

export const gradeColor: Record<Grade, string> = {
  good: 'teal',
  fair: 'yellow',
  poor: 'red',
  neutral: 'gray',
};

export const gradeWord: Record<Grade, string> = {
  good: 'good',
  fair: 'fair',
  poor: 'poor',
  neutral: 'unchanged',
};

// Thresholds follow the product targets (issue 3): static INT8 ≥ 25 dB SQNR and ≥ 99 % top-1 agreement,
// cosine ≥ 0.999 for dynamic INT8, ≥ 0.9999 for FP16. "Fair" is where a user should look before shipping.

/**
 * Signal-to-quantization-noise ratio of an output or a tensor. null: not measurable (no error at all, or a
 * zero signal; JSON has no Infinity), which is never a reason for alarm.
 */
export function gradeSqnr(db: number | null): Grade {
  if (db === null) return 'neutral';
  if (db >= 25) return 'good';
  if (db >= 15) return 'fair';
  return 'poor';
}

export function gradeCosine(cosine: number | null): Grade {
  if (cosine === null) return 'neutral';
  if (cosine >= 0.999) return 'good';
  if (cosine >= 0.99) return 'fair';
  return 'poor';
}

export function gradeAgreement(share: number | null): Grade {
  if (share === null) return 'neutral';
  if (share >= 0.99) return 'good';
  if (share >= 0.95) return 'fair';
  return 'poor';
}

/** Smaller is the point of a variant; not smaller at all is a failure of the pass. */
export function gradeSizeRatio(ratio: number): Grade {
  if (ratio <= 0.75) return 'good';
  if (ratio < 0.98) return 'fair';
  return 'poor';
}

/** Within ±10 % is noise on a shared machine, not a change. */
export function gradeLatencyRatio(ratio: number): Grade {
  if (ratio <= 0.9) return 'good';
  if (ratio <= 1.1) return 'neutral';
  if (ratio <= 1.5) return 'fair';
  return 'poor';
}

/** Accuracy lost against the labels, in percentage points. */
export function gradeAccuracyDrop(parent: number, variant: number): Grade {
  const drop = (parent - variant) * 100;
  if (drop <= 0.5) return 'good';
  if (drop <= 2) return 'fair';
  return 'poor';
}

/** The worst of several figures (null when none has one): a model is as good as its worst output. */
function worst(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return known.length === 0 ? null : Math.min(...known);
}

type OutputSummary = {
  /** Worst SQNR over the outputs (dB); null when no output has one. */
  sqnrDb: number | null;
  cosine: number | null;
  top1Agreement: number | null;
  /** Which output the worst SQNR belongs to, when there are several. */
  worstOutput: string | null;
};

export function summarizeOutputs(outputs: readonly OutputFidelity[]): OutputSummary {
  const sqnrDb = worst(outputs.map((o) => o.sqnrDb));
  const worstOutput =
    outputs.length > 1 && sqnrDb !== null ? (outputs.find((o) => o.sqnrDb === sqnrDb)?.name ?? null) : null;
  return {
    sqnrDb,
    cosine: worst(outputs.map((o) => o.cosine)),
    top1Agreement: worst(outputs.map((o) => o.top1Agreement)),
    worstOutput,
  };
}

/**
 * Tensors worst first (lowest SQNR); a null SQNR (not measurable) sorts last. The report is sorted
 * already; sorting again keeps the table right whatever produced the data.
 */
export function tensorsWorstFirst(tensors: readonly TensorFidelity[]): TensorFidelity[] {
  return [...tensors].sort((a, b) => {
    if (a.sqnrDb === null) return b.sqnrDb === null ? 0 : 1;
    if (b.sqnrDb === null) return -1;
    return a.sqnrDb - b.sqnrDb;
  });
}

/**
 * What to put in a pass's exclude list for the chosen tensors: the producing node's name when it has one, else
 * the tensor's name (the exclude list also matches nodes by the tensors they produce). Graph inputs have no
 * producer to exclude.
 */
export function exclusionsFor(tensors: readonly TensorFidelity[]): string[] {
  const out = new Set<string>();
  for (const tensor of tensors) {
    if (!isExcludable(tensor)) continue;
    out.add(tensor.node ?? tensor.name);
  }
  return [...out];
}

/** A graph input (or an initializer) has no node that could be left in float. */
export function isExcludable(tensor: TensorFidelity): boolean {
  return tensor.producer !== '' && tensor.producer !== 'input' && tensor.producer !== 'initializer';
}

export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—';
}

export function formatDb(db: number | null): string {
  if (db === null) return '—';
  return Number.isFinite(db) ? `${db.toFixed(1)} dB` : '∞ dB';
}

export function formatPercent(share: number | null, digits = 1): string {
  return share === null ? '—' : `${(share * 100).toFixed(digits)} %`;
}

/** Cosines live near 1: show enough nines to tell 0.9990 from 0.99999. */
export function formatCosine(cosine: number | null): string {
  if (cosine === null) return '—';
  if (cosine >= 0.9999) return cosine.toFixed(6);
  return cosine.toFixed(4);
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

/** "held-out" → what it means for the figures' trustworthiness. */
export const sourceLabel: Record<FidelityReport['source'], string> = {
  'held-out': 'held-out calibration samples',
  eval: 'evaluation data',
  random: 'random inputs (indicative only)',
  calibration: 'the calibration samples themselves',
};
