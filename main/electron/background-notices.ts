import type { AnyEvent } from '../../shared/contract';

/** Jobs worth a system notification when they end while the user looks elsewhere. */
const rolloutKinds = new Set(['deploy.run', 'deploy.rollback']);
const optimizeKinds = new Set(['optimize.run']);

type BackgroundNoticeOptions = {
  /** Whether the app's window is focused now (then the UI itself shows the result). */
  isForeground(): boolean;
  notify(notice: { title: string; body: string }): void;
  /** An optimization shorter than this ends without a notice. */
  longOptimizeMs?: number;
  now?: () => number;
};

/**
 * Follows job events and sends a system notification when a rollout or a long optimization ends while the
 * window is in the background. Job starts are not events, so an optimization's duration counts from its first
 * progress event (it reports one as it starts); one with no progress at all counts as long.
 */
export function createBackgroundNotices(options: BackgroundNoticeOptions): (event: AnyEvent) => void {
  const longMs = options.longOptimizeMs ?? 30_000;
  const now = options.now ?? Date.now;
  const firstSeen = new Map<string, number>();
  return (event) => {
    const { jobId, kind } = event.payload;
    if (event.name === 'job.progress') {
      if (!firstSeen.has(jobId)) firstSeen.set(jobId, now());
      return;
    }
    const started = firstSeen.get(jobId);
    firstSeen.delete(jobId);
    const isRollout = rolloutKinds.has(kind);
    const isOptimize = optimizeKinds.has(kind);
    if (!isRollout && !isOptimize) return;
    if (isOptimize && started !== undefined && now() - started < longMs) return;
    if (options.isForeground()) return;
    const what = isRollout ? (kind === 'deploy.rollback' ? 'Rollback' : 'Rollout') : 'Optimization';
    options.notify(
      event.name === 'job.done'
        ? {
            title: `${what} finished`,
            body: `EdgeFleet: the ${what.toLowerCase()} has ended. Open the app for the report.`,
          }
        : { title: `${what} failed`, body: `${event.payload.error.code}: ${event.payload.error.message}` },
    );
  };
}
