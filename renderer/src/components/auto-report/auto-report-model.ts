import type { AutoCandidate, AutoNode, AutoReport } from '../../../../shared/schemas/optimize';

/**
 * How the search ended, for colour and headline: a variant to use, "the parent is the fastest that meets the
 * goal" (a variant saved for size only), or no candidate meets the goal at all.
 */
type VerdictTone = 'recommended' | 'deploy-parent' | 'goal-not-met';

export function verdictTone(report: Pick<AutoReport, 'recommendedId' | 'goalMet'>): VerdictTone {
  if (report.recommendedId !== null) return 'recommended';
  return report.goalMet ? 'deploy-parent' : 'goal-not-met';
}

export const toneColor: Record<VerdictTone, string> = {
  recommended: 'teal',
  'deploy-parent': 'orange',
  'goal-not-met': 'orange',
};

export const toneTitle: Record<VerdictTone, string> = {
  recommended: 'Use the recommended variant',
  'deploy-parent': 'For speed, deploy the parent',
  'goal-not-met': 'Goal not met',
};

export const stoppedEarlyText: Record<NonNullable<AutoReport['stoppedEarly']>, string> = {
  budget: 'Stopped early: the time budget ran out; these are the best found so far.',
  cancelled: 'Stopped early: cancelled; these are the best found so far (latency may not be measured).',
};

export type NodeSort = 'sensitivity' | 'saving' | 'node';

/** µs one run saves when this node is int8 (negative: its int8 kernel is slower); null if not profiled. */
export function int8Saving(node: AutoNode): number | null {
  return node.floatUs === null || node.int8Us === null ? null : node.floatUs - node.int8Us;
}

/**
 * Nodes in the order asked: most sensitive first (lowest SQNR when alone int8), most time saved first, or by
 * name. Unmeasured figures sort last whatever the order, so they never hide the measured ones.
 */
export function sortNodes(nodes: readonly AutoNode[], by: NodeSort): AutoNode[] {
  const key = (n: AutoNode): number | null =>
    by === 'sensitivity' ? n.sensitivitySqnrDb : by === 'saving' ? negate(int8Saving(n)) : null;
  return [...nodes].sort((a, b) => {
    if (by === 'node') return a.node.localeCompare(b.node);
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) return ka === kb ? 0 : ka === null ? 1 : -1;
    return ka - kb || a.node.localeCompare(b.node);
  });
}

const negate = (x: number | null) => (x === null ? null : -x);

export type Overrides = { forceFloat: string[]; forceInt8: string[] };

/**
 * The overrides for a re-run where each picked node gets the other precision than it has now: an int8 node
 * is forced float, a float node is forced int8. Earlier overrides of nodes not picked are kept.
 */
export function flipOverrides(
  base: Overrides,
  nodes: readonly AutoNode[],
  picked: ReadonlySet<string>,
): Overrides {
  const forceFloat = new Set(base.forceFloat);
  const forceInt8 = new Set(base.forceInt8);
  for (const n of nodes) {
    if (!picked.has(n.node)) continue;
    if (n.decision === 'int8') {
      forceFloat.add(n.node);
      forceInt8.delete(n.node);
    } else {
      forceInt8.add(n.node);
      forceFloat.delete(n.node);
    }
  }
  return { forceFloat: [...forceFloat], forceInt8: [...forceInt8] };
}

export type ChartPoint = {
  id: string;
  kind: AutoCandidate['kind'];
  sizeRatio: number;
  latencyRatio: number;
  meetsGoal: boolean;
  recommended: boolean;
  pareto: boolean;
};

/** Candidates with a measured latency (a cancelled search may have none), split by whether they meet the goal. */
export function chartPoints(candidates: readonly AutoCandidate[]): {
  meets: ChartPoint[];
  misses: ChartPoint[];
} {
  const points = candidates.flatMap((c): ChartPoint[] =>
    c.latencyRatio === null
      ? []
      : [
          {
            id: c.id,
            kind: c.kind,
            sizeRatio: c.sizeRatio,
            latencyRatio: c.latencyRatio,
            meetsGoal: c.meetsGoal,
            recommended: c.recommended,
            pareto: c.pareto,
          },
        ],
  );
  return { meets: points.filter((p) => p.meetsGoal), misses: points.filter((p) => !p.meetsGoal) };
}

/**
 * An axis from 0 that always shows the parent at 1× and leaves room above the largest point, with ticks on
 * round steps (0.25× up to 2×, 0.5× up to 4×: 1× is one of them; beyond, whole steps for a far outlier).
 */
export function ratioAxis(values: readonly number[]): { domain: [number, number]; ticks: number[] } {
  const largest = Math.max(1, ...values.filter(Number.isFinite)) * 1.1;
  const step = largest <= 2 ? 0.25 : largest <= 4 ? 0.5 : Math.ceil(largest / 8);
  const top = Math.ceil(largest / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => Number((i * step).toFixed(2)));
  return { domain: [0, top], ticks };
}

export function formatUs(us: number | null): string {
  if (us === null) return '—';
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(us >= 10 ? 0 : 1)} µs`;
}
