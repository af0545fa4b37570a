import type { BenchReport } from '../../../../shared/schemas/bench';
import { formatMs } from '../../components/variant-report/report-grades';
import { hasTarget, type BenchForm } from './bench-form';
import type { TargetGroup } from './bench-results';

/** The Benchmark page's sentences, built from data so they are tested without a browser. */

export function targetCount(form: Pick<BenchForm, 'local' | 'profileIds' | 'deviceNames'>): number {
  return (form.local ? 1 : 0) + form.profileIds.length + form.deviceNames.length;
}

/** "3 variants × 2 targets · calibrates this machine first …": what the Run button would do. */
export function runSummary(variants: number, targets: number, form: BenchForm): string {
  const calibrates =
    hasTarget(form) && form.local ? ' · calibrates this machine first (seconds, reused for 12 h)' : '';
  return `${variants} variant${variants === 1 ? '' : 's'} × ${targets} target${targets === 1 ? '' : 's'}${calibrates}`;
}

/** Predicted vs measured p50 per model on this machine, and the median error when there is one. */
export function estimatorLine(error: BenchReport['estimatorError']): string {
  const rows = error.rows
    .map(
      (r) =>
        `${r.modelName} ${formatMs(r.predictedMs)} vs ${formatMs(r.measuredMs)} (${r.errorPct >= 0 ? '+' : ''}${r.errorPct} %)`,
    )
    .join(' · ');
  const median = error.medianAbsErrorPct === null ? '' : ` — median error ${error.medianAbsErrorPct} %`;
  return rows + median;
}

/** When the newest figure shown was measured or estimated (ISO time), if any. */
export function newestResult(groups: readonly TargetGroup[]): string | undefined {
  return groups
    .flatMap((g) => g.rows.map((r) => r.result.createdAt))
    .sort()
    .at(-1);
}
