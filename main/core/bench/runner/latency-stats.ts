import { AppError } from '../../../../shared/errors';
import type { LatencyStats } from '../../../../shared/schemas/bench';

/** Percentile with linear interpolation between closest ranks (numpy's default), p in [0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (rank - lo);
}

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Latency statistics of one run; stdev is the sample standard deviation (n − 1). */
export function latencyStats(latenciesMs: readonly number[], totalMs?: number): LatencyStats {
  const n = latenciesMs.length;
  if (n === 0) throw new AppError('BENCH_FAILED', 'The benchmark produced no timed run.');
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  const mean = sum / n;
  const variance = n > 1 ? sorted.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  return {
    iterations: n,
    meanMs: r4(mean),
    p50Ms: r4(percentile(sorted, 50)),
    p90Ms: r4(percentile(sorted, 90)),
    p99Ms: r4(percentile(sorted, 99)),
    stdevMs: r4(Math.sqrt(variance)),
    minMs: r4(sorted[0] ?? 0),
    maxMs: r4(sorted[n - 1] ?? 0),
    throughputPerSec: mean > 0 ? Math.round((1000 / mean) * 100) / 100 : 0,
    totalMs: r4(totalMs ?? sum),
  };
}
