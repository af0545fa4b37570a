import type { BenchTarget } from '../../../../shared/schemas/bench';
import { formatMs } from '../../components/variant-report/report-grades';
import { formatDateTime } from '../../lib/format';
import type { ResultRow, TargetGroup } from './bench-results';

/** A target's heading: "This machine", a device's name, or a profile's label. */
export function targetTitle(target: BenchTarget): string {
  if (target.kind === 'local') return 'This machine';
  return target.kind === 'device' ? target.id : target.label;
}

const threads = (n: number) => `${n} thread${n > 1 ? 's' : ''}`;

/** How a target's figures were made: runtime, threads and runs when measured; the graph's ORT when estimated. */
export function groupMeta(group: TargetGroup): string {
  const first = group.rows[0]?.result;
  if (!first) return '';
  const when = formatDateTime(first.createdAt);
  return group.source === 'measured'
    ? `${first.runtime} ${first.ortVersion} · ${threads(first.settings.threads)} · ${first.measured?.latency.iterations ?? '?'} runs · ${when}`
    : `${threads(first.settings.threads)} · ORT ${first.ortVersion} graph · ${when}`;
}

/** A latency cell: estimates carry "≈" so they are never read as measured. */
export function latencyText(row: Pick<ResultRow, 'source'>, ms: number | null): string {
  return ms === null ? '—' : `${row.source === 'estimated' ? '≈ ' : ''}${formatMs(ms)}`;
}

/** Each estimate warning once, with the targets it came up on, in the order first seen. */
export function collectNotes(groups: readonly TargetGroup[]): Array<{ message: string; targets: string[] }> {
  const seen = new Map<string, Set<string>>();
  for (const g of groups) {
    for (const row of g.rows) {
      for (const w of row.warnings) {
        const targets = seen.get(w.message) ?? new Set<string>();
        targets.add(g.target.label);
        seen.set(w.message, targets);
      }
    }
  }
  return [...seen].map(([message, targets]) => ({ message, targets: [...targets] }));
}
