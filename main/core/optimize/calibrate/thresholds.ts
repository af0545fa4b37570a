/**
 * From a tensor's histogram to the range to quantize it with: percentile and entropy (KL divergence).
 * Both clamp the result to the values actually seen, as ONNX Runtime's calibrators do.
 */
import type { StreamingHistogram } from './histogram';

export type TensorRange = { min: number; max: number };

function clampToSeen(lo: number, hi: number, h: StreamingHistogram): TensorRange {
  return { min: Math.max(lo, h.min), max: Math.min(hi, h.max) };
}

/** The observed range when the histogram has nothing to choose from (all zeros, or never filled). */
function seenRange(h: StreamingHistogram): TensorRange {
  return h.min === Infinity ? { min: 0, max: 0 } : { min: h.min, max: h.max };
}

/**
 * Percentile range. On an 'abs' histogram: ±t where t is the upper edge of the first bin at which the share
 * of |x| ≤ t reaches `percentile` % (ORT takes that bin's lower edge; the upper one keeps at least that share
 * inside the range). On a 'signed' histogram: cuts (100 − p)/2 % off each side.
 */
export function percentileRange(h: StreamingHistogram, percentile: number): TensorRange {
  if (!(percentile > 0 && percentile <= 100))
    throw new RangeError(`percentile ${percentile} is outside (0, 100]`);
  if (h.threshold === 0) return seenRange(h);
  const total = h.counts.reduce((a, b) => a + b, 0);
  const upperIndex = (share: number): number => {
    let cum = 0;
    for (let i = 0; i < h.bins; i++) {
      cum += h.counts[i]!;
      if (cum / total >= share) return i;
    }
    return h.bins - 1;
  };
  const p = percentile / 100;
  if (h.mode === 'abs') {
    const t = h.edge(upperIndex(p) + 1);
    return clampToSeen(-t, t, h);
  }
  const cut = (1 - p) / 2;
  // Lower cut: the first bin where the share exceeds `cut`, from its lower edge.
  let cum = 0;
  let left = 0;
  for (let i = 0; i < h.bins; i++) {
    cum += h.counts[i]!;
    if (cum / total > cut) {
      left = i;
      break;
    }
  }
  const right = upperIndex(1 - cut);
  return clampToSeen(h.edge(left), h.edge(right + 1), h);
}

/**
 * The entropy (KL) calibrator, after TensorRT's and ONNX Runtime's: on a 'signed' histogram over [−T, T], for
 * every symmetric window [−i·s, i·s] (at least `levels`/2 bins each side), compare
 *   p = the window's counts with everything outside folded into its two edge bins (what clipping does), and
 *   q = the window merged into `levels` groups, each group's total spread evenly over the bins where p is
 *       non-zero (what 8-bit resolution does),
 * both smoothed (eps 1e-4 moved onto the empty bins) and normalised; pick the window with the lowest KL(p‖q).
 *
 * `levels` is how many groups the window is merged into: 128 by default, as ORT ("num_quantized_bins").
 * With `asymmetric` (uint8 with a zero point), the window starts at the lowest value seen when that is above
 * −t, since the quantizer spends its steps only on [max(min, −t), t]: a one-sided (post-ReLU) tensor is then
 * judged at the resolution it will really get, which clips less.
 *
 * Measured on PP-OCRv4 det with 8 text-image crops (per-layer SQNR median, output SQNR): minmax 12.4 / 11.4 dB,
 * percentile 17.2 / 14.2 dB, entropy 10.9 / 0.7 dB (levels 128), 12.4 / 9.3 dB (levels 512): KL trades the
 * long tails of hard-swish activations for resolution, and the clipping compounds through the network.
 *
 * Other differences from ORT's code, on purpose: q stays fractional (ORT stores it in an int64 array,
 * truncating), the window is symmetric around 0 (ORT's has one extra bin on the right), and bins left over
 * after merging join the last group (ORT leaves them out of q).
 */
export function entropyRange(
  h: StreamingHistogram,
  opts: { levels?: number; asymmetric?: boolean } = {},
): TensorRange {
  if (h.mode !== 'signed') throw new RangeError('entropy needs a signed histogram');
  if (h.threshold === 0) return seenRange(h);
  const i = bestEntropyHalfWidth(h.counts, opts.levels ?? 128, { asymmetric: opts.asymmetric ?? false });
  const t = i * h.stride;
  return clampToSeen(-t, t, h);
}

/** The half-width (in bins, from the centre) of the window with the lowest KL divergence. */
export function bestEntropyHalfWidth(
  counts: Float64Array,
  levels: number,
  opts: { asymmetric?: boolean } = {},
): number {
  const n = counts.length;
  const zero = n / 2;
  const halfQ = Math.floor(levels / 2);
  if (halfQ < 1 || zero < halfQ) return zero;
  // Prefix sums make the outlier totals O(1) per window.
  const prefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k]! + counts[k]!;
  let firstData = 0;
  while (firstData < n && counts[firstData] === 0) firstData++;
  let best = zero;
  let bestKl = Infinity;
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  for (let i = halfQ; i <= zero; i++) {
    const start = opts.asymmetric ? Math.min(Math.max(zero - i, firstData), zero) : zero - i;
    const end = zero + i;
    const len = end - start;
    for (let k = 0; k < len; k++) p[k] = counts[start + k]!;
    p[0]! += prefix[start]!;
    p[len - 1]! += prefix[n]! - prefix[end]!;

    const groups = Math.min(levels, len);
    const group = Math.floor(len / groups);
    q.fill(0, 0, len);
    for (let g = 0; g < groups; g++) {
      const gs = g * group;
      const ge = g === groups - 1 ? len : gs + group;
      let sum = 0;
      let nonzero = 0;
      for (let k = gs; k < ge; k++) {
        sum += counts[start + k]!;
        if (p[k] !== 0) nonzero++;
      }
      if (nonzero === 0) continue;
      const v = sum / nonzero;
      for (let k = gs; k < ge; k++) if (p[k] !== 0) q[k] = v;
    }
    const kl = smoothedKl(p, q, len);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

const EPS = 1e-4;

/**
 * KL(p‖q) over the first `len` entries after ORT's smoothing (applied to the raw counts: eps on every zero,
 * taken back evenly from the non-zeros), each then normalised to sum 1. Infinity when q is all zero.
 */
function smoothedKl(p: Float64Array, q: Float64Array, len: number): number {
  const sp = smooth(p, len);
  const sq = smooth(q, len);
  if (!sp || !sq) return Infinity;
  let kl = 0;
  for (let k = 0; k < len; k++) {
    const a = sp.values[k]! / sp.sum;
    const b = sq.values[k]! / sq.sum;
    if (a > 0) kl += a * Math.log(a / b);
  }
  return kl;
}

function smooth(x: Float64Array, len: number): { values: Float64Array; sum: number } | undefined {
  let zeros = 0;
  for (let k = 0; k < len; k++) if (x[k] === 0) zeros++;
  const nonzeros = len - zeros;
  if (nonzeros === 0) return undefined;
  const eps1 = (EPS * zeros) / nonzeros;
  const values = new Float64Array(len);
  let sum = 0;
  for (let k = 0; k < len; k++) {
    // A bin below eps1 would go negative; keep it a hair above zero instead of failing like ORT's assert.
    const v = x[k] === 0 ? EPS : Math.max(x[k]! - eps1, Number.MIN_VALUE);
    values[k] = v;
    sum += v;
  }
  return { values, sum };
}
