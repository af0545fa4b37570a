/**
 * Running sums that compare a reference (parent) with a variant over any number of tensors, so the report
 * needs no tensor kept: SQNR, cosine similarity, max and mean absolute error.
 */
export type ErrorSums = {
  /** Σ x² (reference). */
  signal: number;
  /** Σ (x − y)². */
  noise: number;
  /** Σ x·y. */
  dot: number;
  /** Σ y² (variant). */
  variantEnergy: number;
  maxAbs: number;
  sumAbs: number;
  /** Element pairs summed (both finite). */
  count: number;
  /** Element pairs left out because either value was NaN or ±∞. */
  nonFinite: number;
};

/** SQNR when the variant equals the reference exactly: "no measurable error", a finite number for JSON/UI. */
export const SQNR_CAP_DB = 200;

export function createErrorSums(): ErrorSums {
  return { signal: 0, noise: 0, dot: 0, variantEnergy: 0, maxAbs: 0, sumAbs: 0, count: 0, nonFinite: 0 };
}

export function addPairs(sums: ErrorSums, ref: ArrayLike<number>, variant: ArrayLike<number>): void {
  let { signal, noise, dot, variantEnergy, maxAbs, sumAbs, count, nonFinite } = sums;
  for (let i = 0; i < ref.length; i++) {
    const x = ref[i]!;
    const y = variant[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      nonFinite++;
      continue;
    }
    const d = x - y;
    const a = Math.abs(d);
    signal += x * x;
    noise += d * d;
    dot += x * y;
    variantEnergy += y * y;
    sumAbs += a;
    if (a > maxAbs) maxAbs = a;
    count++;
  }
  Object.assign(sums, { signal, noise, dot, variantEnergy, maxAbs, sumAbs, count, nonFinite });
}

/**
 * 10·log10(Σx² / Σ(x−y)²), capped at SQNR_CAP_DB (an exact match gives the cap). null when not defined: no
 * elements, or a zero reference with a non-zero error.
 */
export function sqnrDb(s: ErrorSums): number | null {
  if (s.count === 0) return null;
  if (s.noise === 0) return SQNR_CAP_DB;
  if (s.signal === 0) return null;
  return Math.min(SQNR_CAP_DB, 10 * Math.log10(s.signal / s.noise));
}

/** Cosine similarity over all elements; 1 when both are all zeros, null when only one is (undefined). */
export function cosine(s: ErrorSums): number | null {
  if (s.count === 0) return null;
  if (s.signal === 0 && s.variantEnergy === 0) return 1;
  if (s.signal === 0 || s.variantEnergy === 0) return null;
  // Rounding can push an exact match a hair past 1.
  return Math.max(-1, Math.min(1, s.dot / Math.sqrt(s.signal * s.variantEnergy)));
}

export function meanAbs(s: ErrorSums): number {
  return s.count === 0 ? 0 : s.sumAbs / s.count;
}
