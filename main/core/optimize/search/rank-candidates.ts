/**
 * Measuring and choosing among candidates: interleaved latency of every candidate beside the parent, the
 * Pareto front, and the choice of the fastest candidate that meets the goal — never one slower than its parent.
 */
import type * as ort from 'onnxruntime-node';
import { median } from '../fidelity/latency';
import { createSession, feedsFor, releaseAll, runSession } from '../fidelity/sessions';
import type { Sample } from '../types';

export type Timed = { id: string; bytes: Uint8Array };

/**
 * Median latency (ms) of the parent and every candidate, all in one process, one thread each, round-robin with
 * the starting model rotated every round so that machine drift hits all alike.
 */
export async function measureRoundRobin(
  parent: Uint8Array,
  candidates: readonly Timed[],
  sample: Sample,
  opts: { budgetMs: number; minRounds: number; maxRounds: number },
): Promise<{ parentMs: number; ms: Map<string, number>; rounds: number }> {
  const sessions: { id: string; session: ort.InferenceSession }[] = [];
  try {
    sessions.push({ id: '', session: await createSession(parent, 'parent', 'all') });
    for (const c of candidates)
      sessions.push({ id: c.id, session: await createSession(c.bytes, c.id, 'all') });
    const feeds = sessions.map((s) => feedsFor(s.session, sample, s.id || 'parent'));
    const times = sessions.map(() => [] as number[]);
    for (let w = 0; w < 2; w++) {
      for (let i = 0; i < sessions.length; i++) await runSession(sessions[i]!.session, feeds[i]!, 'warm-up');
    }
    const started = performance.now();
    let rounds = 0;
    while (
      rounds < opts.maxRounds &&
      (rounds < opts.minRounds || performance.now() - started < opts.budgetMs)
    ) {
      for (let j = 0; j < sessions.length; j++) {
        const i = (j + rounds) % sessions.length;
        const t0 = performance.now();
        await runSession(sessions[i]!.session, feeds[i]!, 'timed');
        times[i]!.push(performance.now() - t0);
      }
      rounds++;
    }
    const ms = new Map<string, number>();
    sessions.forEach((s, i) => {
      if (s.id !== '') ms.set(s.id, median(times[i]!));
    });
    return { parentMs: median(times[0]!), ms, rounds };
  } finally {
    await releaseAll(sessions.map((s) => s.session));
  }
}

export type Point = { id: string; latency: number | null; size: number; fidelity: number };

/**
 * Ids on the Pareto front: no other point is at least as fast, as small and as faithful, and better in one.
 * Points without a latency compete on size and fidelity only.
 */
export function paretoFront(points: readonly Point[]): Set<string> {
  const front = new Set<string>();
  const le = (a: number | null, b: number | null) => a === null || b === null || a <= b;
  const lt = (a: number | null, b: number | null) => a !== null && b !== null && a < b;
  for (const p of points) {
    const dominated = points.some(
      (q) =>
        q.id !== p.id &&
        le(q.latency, p.latency) &&
        q.size <= p.size &&
        q.fidelity >= p.fidelity &&
        (lt(q.latency, p.latency) || q.size < p.size || q.fidelity > p.fidelity),
    );
    if (!dominated) front.add(p.id);
  }
  return front;
}

export type Ranked = {
  id: string;
  meetsGoal: boolean;
  /** Goal slack (≥ 0 when met); larger is more faithful. */
  distance: number;
  latencyRatio: number | null;
  sizeRatio: number;
};

/** Latency ratios within this share of each other are a tie on these machines (they drift ~20 %/min). */
const LATENCY_TIE = 0.03;

type Choice =
  | { kind: 'recommended'; id: string }
  | { kind: 'size-only'; id: string; fastestRatio: number | null }
  | { kind: 'goal-not-met'; id: string };

/**
 * The fastest candidate that meets the goal and is not slower than the parent (ties go to the smaller file).
 * Else: when some meet the goal but all are slower, the smallest of those, for size only; when none meets it,
 * the closest to the goal among those not slower than the parent (else among all).
 */
export function choose(candidates: readonly Ranked[]): Choice | null {
  if (candidates.length === 0) return null;
  const notSlower = (c: Ranked) => c.latencyRatio !== null && c.latencyRatio <= 1;
  const eligible = candidates.filter((c) => c.meetsGoal && notSlower(c));
  if (eligible.length > 0) {
    const fastest = Math.min(...eligible.map((c) => c.latencyRatio!));
    const near = eligible.filter((c) => c.latencyRatio! <= fastest * (1 + LATENCY_TIE));
    near.sort((a, b) => a.sizeRatio - b.sizeRatio || a.latencyRatio! - b.latencyRatio!);
    return { kind: 'recommended', id: near[0]!.id };
  }
  const meeting = candidates.filter((c) => c.meetsGoal);
  if (meeting.length > 0) {
    const smallest = [...meeting].sort((a, b) => a.sizeRatio - b.sizeRatio)[0]!;
    const ratios = meeting.map((c) => c.latencyRatio).filter((r): r is number => r !== null);
    return {
      kind: 'size-only',
      id: smallest.id,
      fastestRatio: ratios.length > 0 ? Math.min(...ratios) : null,
    };
  }
  const pool = candidates.some(notSlower) ? candidates.filter(notSlower) : [...candidates];
  pool.sort((a, b) => b.distance - a.distance);
  return { kind: 'goal-not-met', id: pool[0]!.id };
}

/** Kinds whose convolutions run as int8 kernels (static Q/DQ around them). */
const STATIC_KINDS = new Set(['int8-static', 'int8-mixed', 'int8-mixed+dynamic']);

/**
 * Plain words on speed for a recommended candidate, so that a variant is never presented as faster than a
 * measurement can tell: within the tie band it is "smaller, not faster"; and when every static INT8 mix that was
 * timed ran slower than the parent, say that no INT8 path helps this model here.
 */
export function speedCaveat(
  chosen: { kind: string; latencyRatio: number | null },
  timed: readonly { kind: string; latencyRatio: number | null }[],
): string {
  if (chosen.latencyRatio === null) return '';
  const words: string[] = [];
  if (chosen.latencyRatio > 1 - LATENCY_TIE) {
    words.push(
      `Not faster: within the measurement noise (±${LATENCY_TIE * 100} %) of the parent — it is smaller, not faster.`,
    );
  }
  const statics = timed.filter((t) => STATIC_KINDS.has(t.kind) && t.latencyRatio !== null);
  if (!STATIC_KINDS.has(chosen.kind) && statics.length > 0 && statics.every((t) => t.latencyRatio! > 1)) {
    const best = Math.min(...statics.map((t) => t.latencyRatio!));
    words.push(
      `No static INT8 mix ran faster than the parent here (the best ${best.toFixed(2)}×): every int8 node pays ` +
        `Quantize/DequantizeLinear at its borders, which this model's small layers do not earn back.`,
    );
  }
  return words.join(' ');
}
