import { parentPort } from 'node:worker_threads';
import { toAppError } from '../../../shared/errors';
import type { ProgressReport } from '../jobs/job-manager';
import { runOptimization, type OptimizationJob } from './run-optimization';

/** Messages from the optimize worker to main. */
export type WorkerMessage =
  | ({ type: 'progress' } & ProgressReport)
  | { type: 'done'; outcome: Awaited<ReturnType<typeof runOptimization>> }
  | { type: 'failed'; error: ReturnType<ReturnType<typeof toAppError>['toData']> };

const port = parentPort;
if (!port) throw new Error('optimize-worker must run in a worker thread');

// Cancel arrives as a message so the pass can stop between steps; main terminates the thread if it does not.
const controller = new AbortController();
port.on('message', (msg: { type: 'run'; job: OptimizationJob } | { type: 'cancel' }) => {
  if (msg.type === 'cancel') {
    controller.abort();
    return;
  }
  runOptimization(msg.job, {
    signal: controller.signal,
    progress: (r) => port.postMessage({ type: 'progress', ...r } satisfies WorkerMessage),
  }).then(
    (outcome) =>
      port.postMessage(
        { type: 'done', outcome } satisfies WorkerMessage,
        (outcome.kind === 'single' ? [outcome.bytes] : outcome.kept.map((k) => k.bytes)).map(
          (b) => b.buffer as ArrayBuffer,
        ),
      ),
    (err: unknown) =>
      port.postMessage({ type: 'failed', error: toAppError(err).toData() } satisfies WorkerMessage),
  );
});
