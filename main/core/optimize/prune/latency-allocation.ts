/**
 * Latency-aware channel allocation (NetAdapt's idea, with measured rather than modelled latency): MACs are a poor
 * guide to what ONNX Runtime saves. Its CPU convolutions work on blocks of 8 or 16 channels (NCHWc), so on an
 * AVX-512 machine 16 → 8 channels in a first layer saves almost nothing and adds a layout reorder, while 16 → 4
 * saves a third of the model's time. So each prunable group is pruned alone to each candidate count, the whole
 * model is timed against the unpruned one on this machine, and the counts that remove the same number of channels
 * as the uniform ratio with the most time saved are chosen.
 */
import type { ModelProto } from 'onnx-buf';
import type * as ort from 'onnxruntime-node';
import { throwIfCancelled } from '../../jobs/job-manager';
import { encodeModel } from '../../onnx';
import { openSampleSource } from '../data';
import { measureLatency } from '../fidelity/latency';
import { createSession } from '../fidelity/sessions';
import type { Sample, SampleSource } from '../types';
import { applyChannelPruning, type KeepPlan } from './apply-channel-pruning';
import type { ChannelGraph } from './channel-graph';

type CountOption = { kept: number; savedMs: number };
export type GroupCounts = { group: number; size: number; options: CountOption[] };

/** At most this many counts per group are timed: the scan must stay minutes, not hours, on a 100-group model. */
const MAX_COUNTS_PER_GROUP = 6;

/**
 * Kept counts worth timing for a group of `size` channels: multiples of `multiple`, and below it the halves
 * (4 and 2 for a multiple of 8: a small first layer can drop under one block), never fewer than
 * `size × (1 − maxRatio)`. Evenly thinned to a few, always including the fewest allowed.
 */
export function candidateCounts(size: number, multiple: number, maxRatio: number): number[] {
  const floor = Math.max(1, Math.ceil(size * (1 - maxRatio)));
  const counts = new Set<number>();
  for (let k = Math.floor((size - 1) / multiple) * multiple; k >= multiple; k -= multiple) {
    if (k >= floor) counts.add(k);
  }
  for (let k = multiple >> 1; k >= 2; k >>= 1) if (k >= floor && k < size) counts.add(k);
  const all = [...counts].sort((a, b) => b - a);
  if (all.length <= MAX_COUNTS_PER_GROUP) return all;
  const picked = new Set<number>();
  for (let i = 0; i < MAX_COUNTS_PER_GROUP; i++) {
    picked.add(all[Math.round((i * (all.length - 1)) / (MAX_COUNTS_PER_GROUP - 1))]!);
  }
  return [...picked].sort((a, b) => b - a);
}

/**
 * The kept count per group that removes between `removeAtLeast` and `removeAtLeast + slack` channels in all and
 * saves the most measured time (savings taken as additive, which holds well for layers that run one after
 * another). The upper bound keeps the plan to what the user asked for: without it, removing more always saves
 * more. Among equal savings, fewer channels removed wins. A knapsack over the channels removed. Groups missing
 * from the result keep every channel; an empty map when no combination lands in the window.
 */
export function chooseCounts(
  groups: readonly GroupCounts[],
  removeAtLeast: number,
  slack: number,
): Map<number, number> {
  const need = Math.max(0, Math.round(removeAtLeast));
  const cap = need + Math.max(0, Math.round(slack));
  // Per removed channel, a cost far below any measurable saving, to break ties towards removing fewer.
  const tie = 1e-9;
  type Cell = { value: number; picks: number[] } | null;
  let dp: Cell[] = Array.from({ length: cap + 1 }, (_, r) => (r === 0 ? { value: 0, picks: [] } : null));
  for (const g of groups) {
    const next: Cell[] = Array.from({ length: cap + 1 }, () => null);
    const choices = [{ kept: g.size, savedMs: 0 }, ...g.options];
    for (let r = 0; r <= cap; r++) {
      const cell = dp[r];
      if (!cell) continue;
      for (const c of choices) {
        const to = r + g.size - c.kept;
        if (to > cap) continue;
        const value = cell.value + c.savedMs - tie * (g.size - c.kept);
        const at = next[to];
        if (!at || value > at.value) next[to] = { value, picks: [...cell.picks, c.kept] };
      }
    }
    dp = next;
  }
  let best: Cell = null;
  for (let r = need; r <= cap; r++) if (dp[r] && (!best || dp[r]!.value > best.value)) best = dp[r]!;
  const out = new Map<number, number>();
  if (!best) return out;
  groups.forEach((g, i) => {
    if (best.picks[i]! < g.size) out.set(g.group, best.picks[i]!);
  });
  return out;
}

type LatencyScan = { table: GroupCounts[]; baseMs: number; measurements: number };

/**
 * Times the model with each group alone pruned to each candidate count against the unpruned model (interleaved,
 * one thread, ORT's full graph optimisation as deployed), on one input sample.
 */
export async function scanLatency(
  model: ModelProto,
  candidates: ReadonlyMap<number, { size: number; counts: number[] }>,
  keepFor: (group: number, kept: number) => KeepPlan,
  cg: ChannelGraph,
  means: ReadonlyMap<string, Float64Array> | undefined,
  opts: { samples?: SampleSource; signal: AbortSignal; progress: (done: number, total: number) => void },
): Promise<LatencyScan> {
  const feeds = await oneSample(model, opts.samples);
  const total = [...candidates.values()].reduce((n, c) => n + c.counts.length, 0);
  // About a minute for the whole scan, and never under 150 ms a count (below that the median is noise).
  const budgetMs = Math.min(800, Math.max(150, 60_000 / Math.max(1, total)));
  const base = await createSession(encodeModel(model), 'unpruned', 'all');
  const table: GroupCounts[] = [];
  const baseTimes: number[] = [];
  let done = 0;
  try {
    for (const [group, { size, counts }] of candidates) {
      const options: CountOption[] = [];
      for (const kept of counts) {
        throwIfCancelled(opts.signal);
        const pruned = applyChannelPruning(model, cg, keepFor(group, kept), means).model;
        const r = await timeAgainst(base, pruned, feeds, budgetMs, opts.signal);
        baseTimes.push(r.parent);
        options.push({ kept, savedMs: r.parent - r.variant });
        opts.progress(++done, total);
      }
      table.push({ group, size, options });
    }
  } finally {
    await base.release();
  }
  baseTimes.sort((a, b) => a - b);
  return { table, baseMs: baseTimes[baseTimes.length >> 1] ?? 0, measurements: total };
}

/** Latency of `b` over that of `a`, interleaved on the same sample (1 = as fast). */
export async function latencyRatio(
  a: ModelProto,
  b: ModelProto,
  samples: SampleSource | undefined,
  signal: AbortSignal,
): Promise<number> {
  const feeds = await oneSample(a, samples);
  const sa = await createSession(encodeModel(a), 'uniform', 'all');
  try {
    return (await timeAgainst(sa, b, feeds, 3000, signal)).ratio;
  } finally {
    await sa.release();
  }
}

async function timeAgainst(
  base: ort.InferenceSession,
  variant: ModelProto,
  feeds: Sample,
  budgetMs: number,
  signal: AbortSignal,
) {
  const session = await createSession(encodeModel(variant), 'pruned', 'all');
  try {
    return await measureLatency({ session: base, feeds }, { session, feeds }, { budgetMs, signal });
  } finally {
    await session.release();
  }
}

async function oneSample(model: ModelProto, samples: SampleSource | undefined): Promise<Sample> {
  const source =
    samples && samples.count > 0
      ? samples
      : await openSampleSource({ kind: 'random', count: 1, seed: 7 }, model);
  for await (const s of source.read({ start: 0, end: 1 })) return s;
  throw new Error('no sample to time the model on');
}
