import type * as ort from 'onnxruntime-node';
import { throwIfCancelled } from '../../jobs/job-manager';
import type { Sample } from '../types';
import { runSession } from './sessions';

export type LatencyOptions = {
  /**
   * Timed runs of each model (pairs), exactly (unless the budget runs out). Default: at least 30, and more (up
   * to 1,000) while the timed runs have taken under 0.5 s, so tiny models get a steady median too.
   */
  runs?: number;
  /** Stop early when the timed runs have taken this long (ms), after at least 3 pairs. Default 3000. */
  budgetMs?: number;
  /** Untimed runs of each model first. Default 3. */
  warmup?: number;
  signal?: AbortSignal;
  /** Share of the timing done, 0..1. */
  onProgress?: (fraction: number) => void;
};

export type LatencyResult = { parent: number; variant: number; ratio: number; runs: number };

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Times both sessions on the same feeds in one process, interleaved (parent, variant, variant, parent, …: the
 * order flips every pair so neither model always runs on a cache the other warmed), and takes each median.
 */
export async function measureLatency(
  parent: { session: ort.InferenceSession; feeds: Sample },
  variant: { session: ort.InferenceSession; feeds: Sample },
  opts: LatencyOptions = {},
): Promise<LatencyResult> {
  const fixed = opts.runs !== undefined;
  const runs = opts.runs !== undefined ? Math.max(1, Math.floor(opts.runs)) : 1000;
  const minRuns = fixed ? runs : 30;
  const minMs = fixed ? Infinity : 500;
  const budget = opts.budgetMs ?? 3000;
  const warmup = opts.warmup ?? 3;
  const time = async (m: { session: ort.InferenceSession; feeds: Sample }, role: string) => {
    const t0 = performance.now();
    await runSession(m.session, m.feeds, role);
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) {
    throwIfCancelled(opts.signal);
    await time(parent, 'parent');
    await time(variant, 'variant');
  }
  const p: number[] = [];
  const v: number[] = [];
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    throwIfCancelled(opts.signal);
    if (i % 2 === 0) {
      p.push(await time(parent, 'parent'));
      v.push(await time(variant, 'variant'));
    } else {
      v.push(await time(variant, 'variant'));
      p.push(await time(parent, 'parent'));
    }
    const elapsed = performance.now() - start;
    opts.onProgress?.(fixed ? (i + 1) / runs : Math.min(1, elapsed / minMs));
    if (i + 1 >= 3 && elapsed > budget) break;
    if (!fixed && i + 1 >= minRuns && elapsed > minMs) break;
  }
  const parentMs = median(p);
  const variantMs = median(v);
  return {
    parent: parentMs,
    variant: variantMs,
    ratio: parentMs > 0 ? variantMs / parentMs : 1,
    runs: p.length,
  };
}
