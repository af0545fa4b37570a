/**
 * Per-tensor statistics gathered sample after sample, with memory bounded by the number of tensors (never by
 * the number of samples): MinMax keeps two numbers per tensor, the histogram calibrators one fixed-size
 * histogram per tensor.
 */
import type { Calibrator } from '../../../../shared/schemas/optimize';
import { StreamingHistogram } from './histogram';
import { entropyRange, percentileRange, type TensorRange } from './thresholds';

export type CollectedRanges = {
  ranges: Map<string, TensorRange>;
  /** Tensors that held NaN or ±Infinity: their range is not usable (MinMax) or ignores those values. */
  nonFinite: string[];
};

export type RangeCollector =
  | {
      kind: 'minmax';
      add(name: string, min: number, max: number): void;
      result(): CollectedRanges;
    }
  | {
      kind: 'values';
      /** `min`/`max`: the data's range when already known (saves a pass over it). */
      add(name: string, data: ArrayLike<number>, min?: number, max?: number): void;
      result(): CollectedRanges;
    };

export type CollectorOptions = {
  /** Percentile calibrator: share of |x| kept inside the range (ORT's default 99.999). */
  percentile?: number;
  /** Histogram bins (default 2048 for both histogram calibrators). */
  bins?: number;
  /** Entropy calibrator: groups a candidate window is merged into (default 128, as ORT). */
  levels?: number;
  /** Entropy calibrator: activations are asymmetric (uint8 + zero point): one-sided tensors keep all levels. */
  asymmetric?: boolean;
};

export function createCollector(calibrator: Calibrator, opts: CollectorOptions = {}): RangeCollector {
  switch (calibrator) {
    case 'minmax':
      return minMaxCollector();
    case 'percentile': {
      const percentile = opts.percentile ?? 99.999;
      return histogramCollector('abs', opts.bins ?? 2048, (h) => percentileRange(h, percentile));
    }
    case 'entropy': {
      const levels = opts.levels ?? 128;
      const asymmetric = opts.asymmetric ?? false;
      return histogramCollector('signed', opts.bins ?? 2048, (h) => entropyRange(h, { levels, asymmetric }));
    }
  }
}

/** Min of the per-sample mins, max of the per-sample maxes. */
export function minMaxCollector(): RangeCollector {
  const ranges = new Map<string, TensorRange>();
  const nonFinite = new Set<string>();
  return {
    kind: 'minmax',
    add(name, min, max) {
      if (!Number.isFinite(min) || !Number.isFinite(max)) {
        // ReduceMin/ReduceMax of a tensor with NaN or ±Inf: the finite range is lost for this sample.
        nonFinite.add(name);
        return;
      }
      const r = ranges.get(name);
      if (!r) ranges.set(name, { min, max });
      else {
        if (min < r.min) r.min = min;
        if (max > r.max) r.max = max;
      }
    },
    result() {
      const out = new Map<string, TensorRange>();
      for (const [name, r] of ranges) if (!nonFinite.has(name)) out.set(name, { ...r });
      return { ranges: out, nonFinite: [...nonFinite] };
    },
  };
}

function histogramCollector(
  mode: 'abs' | 'signed',
  bins: number,
  pick: (h: StreamingHistogram) => TensorRange,
): RangeCollector {
  const histograms = new Map<string, StreamingHistogram>();
  return {
    kind: 'values',
    add(name, data, min, max) {
      let h = histograms.get(name);
      if (!h) {
        h = new StreamingHistogram(mode, bins);
        histograms.set(name, h);
      }
      h.add(data, min, max);
    },
    result() {
      const ranges = new Map<string, TensorRange>();
      const nonFinite: string[] = [];
      for (const [name, h] of histograms) {
        if (h.nonFinite > 0) nonFinite.push(name);
        // A tensor with no finite value at all has no range.
        if (h.min === Infinity && h.nonFinite > 0) continue;
        ranges.set(name, pick(h));
      }
      return { ranges, nonFinite };
    },
  };
}
