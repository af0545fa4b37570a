import { randomBytes } from 'node:crypto';
import type { AnyEvent } from '../../../shared/contract';
import { AppError, toAppError, type AppErrorData } from '../../../shared/errors';

export type ProgressReport = {
  phase: string;
  percent: number | null;
  message?: string;
  /** Structured progress of one part of the job (e.g. one device of a rollout), for live per-part rows. */
  detail?: { key: string; [field: string]: unknown };
};
type JobContext = {
  signal: AbortSignal;
  progress(report: ProgressReport): void;
};
type JobRunner<T> = (ctx: JobContext) => Promise<T>;

type Listener = (event: AnyEvent) => void;

/** What a client that missed events (a dropped WebSocket) can still learn about a job. */
export type JobState =
  | { status: 'running'; kind: string; progress: ProgressReport | null }
  | { status: 'done'; kind: string; result: unknown }
  | { status: 'failed'; kind: string; error: AppErrorData }
  | { status: 'unknown' };

/** The least time between two progress events of one job within a phase. */
const progressIntervalMs = 100;

/** Events a stream may send within a second before its phase changes wait for the interval too. */
const phaseBurst = 30;

type ProgressStream = {
  sentAt: number;
  phase: string | null;
  windowAt: number;
  sentInWindow: number;
  held: ProgressReport | null;
  timer: NodeJS.Timeout | null;
};

const newStream = (): ProgressStream => ({
  sentAt: Number.NEGATIVE_INFINITY,
  phase: null,
  windowAt: Number.NEGATIVE_INFINITY,
  sentInWindow: 0,
  held: null,
  timer: null,
});

/** Finished jobs are remembered this long for `state()`. */
const keepFinishedMs = 10 * 60_000;

/** Throws CANCELLED when the signal is aborted: call between steps of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the user. Nothing was changed.');
}

/**
 * Long work runs as jobs: the call returns a job id at once; progress, the result or the error arrive as events.
 * The manager knows nothing of transports: hosts subscribe and forward events.
 */
export class JobManager {
  private readonly running = new Map<
    string,
    { kind: string; controller: AbortController; progress: ProgressReport | null }
  >();
  private readonly finished = new Map<string, JobState & { at: number }>();
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start<T>(kind: string, run: JobRunner<T>): { jobId: string; done: Promise<void> } {
    const jobId = `j_${randomBytes(8).toString('hex')}`;
    const controller = new AbortController();
    const entry = { kind, controller, progress: null as ProgressReport | null };
    this.running.set(jobId, entry);
    // Per stream (the job, or one part of it such as a device). A UI needs ~10 updates a second and every
    // change of phase (a device's steps); a pass may report every sample, and a training of tiny epochs changes
    // phase hundreds of times a second (each sent at once flooded the page until it stopped answering). So a
    // phase change goes out at once while the stream has sent fewer than `phaseBurst` events in the last second,
    // anything else at most every 100 ms; what is held back meanwhile goes out when the interval ends (the
    // newest only), so the last word of a stream is never lost.
    const streams = new Map<string, ProgressStream>();
    const send = (r: ProgressReport, stream: ProgressStream, now: number) => {
      if (now - stream.windowAt >= 1000) {
        stream.windowAt = now;
        stream.sentInWindow = 0;
      }
      stream.sentInWindow += 1;
      stream.sentAt = now;
      stream.phase = r.phase;
      this.emit({ name: 'job.progress', payload: { jobId, kind, ...r } });
    };
    const progress = (r: ProgressReport) => {
      if (controller.signal.aborted) return;
      const now = performance.now();
      const key = r.detail?.key ?? '';
      const stream = streams.get(key) ?? newStream();
      streams.set(key, stream);
      entry.progress = r;
      const burstLeft = now - stream.windowAt >= 1000 || stream.sentInWindow < phaseBurst;
      if (
        r.percent === 100 ||
        now - stream.sentAt >= progressIntervalMs ||
        (r.phase !== stream.phase && burstLeft)
      ) {
        if (stream.timer !== null) clearTimeout(stream.timer);
        stream.timer = null;
        stream.held = null;
        send(r, stream, now);
        return;
      }
      stream.held = r;
      stream.timer ??= setTimeout(
        () => {
          stream.timer = null;
          const held = stream.held;
          stream.held = null;
          // Timers are cleared when the job ends (stopStreams), so a held report never follows its end.
          if (held && !controller.signal.aborted) send(held, stream, performance.now());
        },
        Math.max(0, stream.sentAt + progressIntervalMs - now),
      );
    };
    const stopStreams = () => {
      for (const stream of streams.values()) if (stream.timer !== null) clearTimeout(stream.timer);
    };
    // Started on the next tick so the caller has the job id before any event.
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => run({ signal: controller.signal, progress }))
      .then(
        (result) => {
          stopStreams();
          this.remember(jobId, { status: 'done', kind, result });
          this.emit({ name: 'job.done', payload: { jobId, kind, result } });
        },
        (err: unknown) => {
          stopStreams();
          const error = toAppError(err).toData();
          this.remember(jobId, { status: 'failed', kind, error });
          this.emit({ name: 'job.failed', payload: { jobId, kind, error } });
        },
      );
    return { jobId, done };
  }

  /** The job's state now: for clients that reconnect and may have missed its events. */
  state(jobId: string): JobState {
    const running = this.running.get(jobId);
    if (running) return { status: 'running', kind: running.kind, progress: running.progress };
    const finished = this.finished.get(jobId);
    if (!finished) return { status: 'unknown' };
    const { at: _at, ...state } = finished;
    return state;
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

  private remember(jobId: string, state: JobState): void {
    this.running.delete(jobId);
    const now = Date.now();
    for (const [id, old] of this.finished) if (now - old.at > keepFinishedMs) this.finished.delete(id);
    this.finished.set(jobId, { ...state, at: now });
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
