/**
 * A streaming histogram of one tensor's values with a FIXED number of bins, for the percentile and entropy
 * calibrators. Memory stays at `bins` counters per tensor whatever the number of samples (ORT's collector
 * keeps adding bins of the first stride as the range grows; we double the range and merge bin pairs instead,
 * which is exact for the counts already held and keeps the bin count bounded).
 *
 * - 'signed': bins over [−T, T], T = absolute max seen; bin `bins/2` starts at 0.
 * - 'abs':    bins over [0, T] of |x| (symmetric percentile).
 *
 * Non-finite values (NaN, ±Infinity) are not binned: they are counted apart.
 */
export type HistogramMode = 'signed' | 'abs';

export class StreamingHistogram {
  readonly mode: HistogramMode;
  readonly counts: Float64Array;
  /** Range end: bins cover [−T, T] ('signed') or [0, T] ('abs'); 0 until a non-zero value arrives. */
  threshold = 0;
  min = Infinity;
  max = -Infinity;
  /** Values seen while the threshold was still 0 (all exact zeros), binned once a range exists. */
  private pendingZeros = 0;
  nonFinite = 0;
  total = 0;

  constructor(mode: HistogramMode, bins: number) {
    if (!Number.isInteger(bins) || bins < 8 || bins % 4 !== 0) {
      throw new RangeError(`histogram bins must be a multiple of 4 (≥ 8), got ${bins}`);
    }
    this.mode = mode;
    this.counts = new Float64Array(bins);
  }

  get bins(): number {
    return this.counts.length;
  }

  /** Width of one bin. */
  get stride(): number {
    return this.mode === 'signed' ? (2 * this.threshold) / this.bins : this.threshold / this.bins;
  }

  /** Lower edge of bin i (i = bins gives the upper end). */
  edge(i: number): number {
    return this.mode === 'signed' ? -this.threshold + i * this.stride : i * this.stride;
  }

  /** Bins `data`; `min`/`max` are its range when the caller already has it (else computed here). */
  add(data: ArrayLike<number>, min?: number, max?: number): void {
    let lo = min ?? Infinity;
    let hi = max ?? -Infinity;
    if (min === undefined || max === undefined) {
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo === Infinity || !Number.isFinite(lo) || !Number.isFinite(hi)) {
      // Rare (NaN/Inf in an activation): fall back to a filtered pass.
      this.addFiltered(data);
      return;
    }
    this.observe(lo, hi);
    this.binAll(data, false);
  }

  private addFiltered(data: ArrayLike<number>): void {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo !== Infinity) this.observe(lo, hi);
    this.binAll(data, true);
  }

  private observe(lo: number, hi: number): void {
    if (lo < this.min) this.min = lo;
    if (hi > this.max) this.max = hi;
    const absmax = Math.max(Math.abs(lo), Math.abs(hi));
    if (absmax > this.threshold) this.widen(absmax);
  }

  private binAll(data: ArrayLike<number>, filter: boolean): void {
    const n = this.bins;
    const counts = this.counts;
    if (this.threshold === 0) {
      // Every finite value is 0 so far.
      for (let i = 0; i < data.length; i++) {
        if (Number.isFinite(data[i]!)) this.pendingZeros++;
        else this.nonFinite++;
      }
      this.total += data.length;
      return;
    }
    const inv = 1 / this.stride;
    const offset = this.mode === 'signed' ? this.threshold : 0;
    if (filter) {
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (Number.isFinite(v)) counts[binIndex(this.mode === 'abs' ? Math.abs(v) : v, offset, inv, n)]!++;
        else this.nonFinite++;
      }
    } else if (this.mode === 'abs') {
      // Separate branch-free loops: a sign test per value mispredicts on real activations.
      for (let i = 0; i < data.length; i++) counts[binIndex(Math.abs(data[i]!), 0, inv, n)]!++;
    } else {
      for (let i = 0; i < data.length; i++) counts[binIndex(data[i]!, offset, inv, n)]!++;
    }
    this.total += data.length;
  }

  /** Doubles the range (merging bin pairs) until it covers `absmax`; the first range is exactly absmax. */
  private widen(absmax: number): void {
    const n = this.bins;
    if (this.threshold === 0) {
      this.threshold = absmax;
      if (this.pendingZeros > 0) {
        this.counts[this.binOfZero()]! += this.pendingZeros;
        this.pendingZeros = 0;
      }
      return;
    }
    while (this.threshold < absmax) {
      const c = this.counts;
      const merged = new Float64Array(n / 2);
      for (let j = 0; j < n / 2; j++) merged[j] = c[2 * j]! + c[2 * j + 1]!;
      c.fill(0);
      // Signed: the old [−T, T] is the middle half of the new [−2T, 2T]; abs: the lower half of [0, 2T].
      c.set(merged, this.mode === 'signed' ? n / 4 : 0);
      this.threshold *= 2;
    }
  }

  private binOfZero(): number {
    return this.mode === 'signed' ? this.bins / 2 : 0;
  }
}

/** Bin of v: (v + offset) ≥ 0 here, so truncation is floor; the top edge belongs to the last bin (numpy's). */
function binIndex(v: number, offset: number, inv: number, bins: number): number {
  const b = ((v + offset) * inv) | 0;
  return b >= bins ? bins - 1 : b < 0 ? 0 : b;
}
