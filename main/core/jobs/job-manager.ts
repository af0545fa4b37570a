import { randomBytes } from 'node:crypto';
import type { AnyEvent } from '../../../shared/contract';
import { AppError, toAppError } from '../../../shared/errors';

export type ProgressReport = { phase: string; percent: number | null; message?: string };
export type JobContext = {
  signal: AbortSignal;
  progress(report: ProgressReport): void;
};
export type JobRunner<T> = (ctx: JobContext) => Promise<T>;

type Listener = (event: AnyEvent) => void;

/** Throws CANCELLED when the signal is aborted: call between steps of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the user. Nothing was changed.');
}

/**
 * Long work runs as jobs: the call returns a job id at once; progress, the result or the error arrive as events.
 * The manager knows nothing of transports: hosts subscribe and forward events.
 */
export class JobManager {
  private readonly running = new Map<string, { kind: string; controller: AbortController }>();
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start<T>(kind: string, run: JobRunner<T>): { jobId: string; done: Promise<void> } {
    const jobId = `j_${randomBytes(8).toString('hex')}`;
    const controller = new AbortController();
    this.running.set(jobId, { kind, controller });
    const progress = (r: ProgressReport) => {
      if (controller.signal.aborted) return;
      this.emit({ name: 'job.progress', payload: { jobId, kind, ...r } });
    };
    // Started on the next tick so the caller has the job id before any event.
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => run({ signal: controller.signal, progress }))
      .then(
        (result) => this.emit({ name: 'job.done', payload: { jobId, kind, result } }),
        (err: unknown) =>
          this.emit({ name: 'job.failed', payload: { jobId, kind, error: toAppError(err).toData() } }),
      )
      .finally(() => this.running.delete(jobId));
    return { jobId, done };
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  /** Cancels everything (shutdown) and waits for nothing: runners clean up on their own. */
  cancelAll(): void {
    for (const job of this.running.values()) job.controller.abort();
  }

  get runningCount(): number {
    return this.running.size;
  }

  private emit(event: AnyEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A broken listener (a closed socket) must not break the job or the other listeners.
      }
    }
  }
}
