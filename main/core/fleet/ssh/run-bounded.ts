import pLimit from 'p-limit';
import { AppError, toAppError } from '../../../../shared/errors';

export const defaultFleetConcurrency = 16;

export type BoundedOutcome<T, R> =
  { item: T; index: number; ok: true; value: R } | { item: T; index: number; ok: false; error: AppError };

type BoundedProgress<T, R> = { done: number; total: number; outcome: BoundedOutcome<T, R> };

export type RunBoundedOptions<T, R> = {
  signal?: AbortSignal;
  onProgress?: (progress: BoundedProgress<T, R>) => void;
};

/**
 * Runs `fn` over many devices with at most `concurrency` in flight (16 by default: enough to hide network
 * latency, few enough not to trip sshd's MaxStartups on a shared jump host or saturate the uplink).
 * One device failing does not stop the others: every item gets an outcome, in input order. After an abort
 * the items not started yet are CANCELLED without running; running ones get the signal.
 */
export async function runBounded<T, R>(
  items: readonly T[],
  concurrency: number | undefined,
  fn: (item: T, context: { index: number; signal: AbortSignal }) => Promise<R>,
  options: RunBoundedOptions<T, R> = {},
): Promise<BoundedOutcome<T, R>[]> {
  const limitValue = concurrency ?? defaultFleetConcurrency;
  if (!Number.isInteger(limitValue) || limitValue < 1) {
    throw new AppError('BAD_REQUEST', `Concurrency must be a whole number of at least 1, not ${limitValue}.`);
  }
  const signal = options.signal ?? new AbortController().signal;
  const limit = pLimit(limitValue);
  let done = 0;

  const runOne = async (item: T, index: number): Promise<BoundedOutcome<T, R>> => {
    let outcome: BoundedOutcome<T, R>;
    if (signal.aborted) {
      outcome = { item, index, ok: false, error: new AppError('CANCELLED', 'Cancelled before it started.') };
    } else {
      try {
        outcome = { item, index, ok: true, value: await fn(item, { index, signal }) };
      } catch (err) {
        outcome = { item, index, ok: false, error: toAppError(err) };
      }
    }
    done += 1;
    options.onProgress?.({ done, total: items.length, outcome });
    return outcome;
  };

  return Promise.all(items.map((item, index) => limit(runOne, item, index)));
}
