import { setMaxListeners } from 'node:events';
import type { AppError } from '../../../../shared/errors';
import type { Device } from '../../../../shared/schemas/fleet';
import type { ProgressReport } from '../../jobs/job-manager';
import type { ConnectionPool } from '../ssh';
import { runBounded, withPool } from '../ssh';

export type FleetProgress = {
  done: number;
  total: number;
  /** Devices being worked on right now (never more than the concurrency). */
  running: number;
  device: string;
  /** null: just started; true/false: finished, and how. */
  ok: boolean | null;
};

export type FleetOpOptions = {
  signal?: AbortSignal;
  /** Devices worked on at once; default 16. */
  concurrency?: number;
  /** TCP + SSH handshake + login per connection; default 10 s. */
  connectTimeoutMs?: number;
  onProgress?: (progress: FleetProgress) => void;
};

export type DeviceResult<R> =
  { device: Device; ok: true; value: R } | { device: Device; ok: false; error: AppError };

/**
 * The fan-out every fleet operation shares: one connection pool for the whole operation (a jump host or a
 * device listed twice is connected once), bounded concurrency, progress with the number in flight.
 * `layers` run one after another (trust pins jump hosts before the devices behind them).
 */
export async function runFleet<R>(
  layers: readonly (readonly Device[])[],
  options: FleetOpOptions & { concurrency: number },
  fn: (device: Device, pool: ConnectionPool, signal: AbortSignal) => Promise<R>,
): Promise<DeviceResult<R>[]> {
  const total = layers.reduce((n, l) => n + l.length, 0);
  let done = 0;
  let running = 0;
  const results: DeviceResult<R>[] = [];
  const progress = (device: Device, ok: boolean | null): void =>
    options.onProgress?.({ done, total, running, device: device.name, ok });
  // One signal for the whole operation: every running command listens to it, often more than Node's
  // default of 10 listeners before it warns.
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const outer = options.signal;
  const forward = (): void => controller.abort();
  if (outer?.aborted === true) controller.abort();
  else outer?.addEventListener('abort', forward, { once: true });
  const signal = controller.signal;
  try {
    await withPool(
      async (pool) => {
        for (const layer of layers) {
          const outcomes = await runBounded(
            layer,
            options.concurrency,
            async (device, { signal }) => {
              running += 1;
              progress(device, null);
              try {
                return await fn(device, pool, signal);
              } finally {
                running -= 1;
              }
            },
            {
              signal,
              onProgress: ({ outcome }) => {
                done += 1;
                progress(outcome.item, outcome.ok);
              },
            },
          );
          for (const o of outcomes) {
            results.push(
              o.ok
                ? { device: o.item, ok: true, value: o.value }
                : { device: o.item, ok: false, error: o.error },
            );
          }
        }
      },
      { signal },
    );
  } finally {
    outer?.removeEventListener('abort', forward);
  }
  return results;
}

/** Fleet progress as a job's progress events. */
export function jobProgress(verb: string, report: (r: ProgressReport) => void): (p: FleetProgress) => void {
  return (p) => {
    if (p.ok === null) return;
    report({
      phase: `${verb} ${p.done}/${p.total}`,
      percent: p.total === 0 ? 100 : (100 * p.done) / p.total,
      message: `${p.device}: ${p.ok ? 'ok' : 'failed'}`,
    });
  };
}
