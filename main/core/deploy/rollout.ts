import { AppError } from '../../../shared/errors';
import {
  failedDeviceStatuses,
  okDeviceStatuses,
  type DeploymentStatus,
} from '../../../shared/schemas/deploy';
import { runBounded } from '../fleet/ssh';
import type { DeviceOutcome, DeviceRun } from './device-run';
import type { DevicePlan } from './plan';

/**
 * Many devices: waves (canary first), bounded concurrency, a failure threshold and cancellation. A device
 * failing never stops the others in its wave; the threshold only stops devices from starting.
 */

type RolloutInput = {
  devices: readonly DevicePlan[];
  runs: ReadonlyMap<string, DeviceRun>;
  waves: readonly (readonly string[])[];
  concurrency: number;
  maxFailPercent: number | null;
  signal: AbortSignal;
  runDevice: (device: DevicePlan, run: DeviceRun) => Promise<DeviceOutcome>;
  /** After every device's final outcome. */
  onDeviceDone?: (outcome: DeviceOutcome, done: number, total: number) => void;
};

export type RolloutResult = {
  outcomes: DeviceOutcome[];
  status: Exclude<DeploymentStatus, 'running' | 'interrupted'>;
  /** Why the rollout stopped early (canary failed, threshold), or null. */
  stopReason: string | null;
};

export async function runRollout(input: RolloutInput): Promise<RolloutResult> {
  const byId = new Map(input.devices.map((d) => [d.deviceId, d]));
  const total = input.devices.length;
  let failed = 0;
  let done = 0;
  let stopReason: string | null = null;

  const settle = (outcome: DeviceOutcome): DeviceOutcome => {
    done += 1;
    input.onDeviceDone?.(outcome, done, total);
    return outcome;
  };
  const skip = (run: DeviceRun): DeviceOutcome =>
    settle(
      run.finish(
        'skipped',
        new AppError('DEPLOY_STOPPED', `Not attempted: ${stopReason ?? 'the rollout stopped'}.`),
      ),
    );

  for (const [index, wave] of input.waves.entries()) {
    const devices = wave.map((id) => {
      const d = byId.get(id);
      if (d === undefined) throw new AppError('INTERNAL', `Wave names unknown device ${id}.`);
      return d;
    });
    const outcomes = await runBounded(
      devices,
      input.concurrency,
      async (device) => {
        const run = runFor(input.runs, device);
        if (stopReason !== null) return skip(run);
        const outcome = await input.runDevice(device, run);
        if (failedDeviceStatuses.has(outcome.status)) {
          failed += 1;
          if (
            input.maxFailPercent !== null &&
            (failed * 100) / total > input.maxFailPercent &&
            stopReason === null
          ) {
            stopReason = `${failed} of ${total} devices failed, more than the ${input.maxFailPercent}% allowed`;
          }
        }
        return settle(outcome);
      },
      { signal: input.signal },
    );
    // Devices runBounded never started because of the cancel signal.
    for (const o of outcomes) {
      if (!o.ok) {
        const run = runFor(input.runs, o.item);
        if (run.outcome.finishedAt === null) {
          settle(
            run.finish(
              o.error.code === 'CANCELLED' ? 'cancelled' : 'failed',
              o.error.code === 'CANCELLED'
                ? new AppError(
                    'CANCELLED',
                    `Cancelled before ${o.item.deviceName} was started; it stays on its previous release.`,
                  )
                : o.error,
            ),
          );
        }
      }
    }
    const isCanary = input.waves.length > 1 && index === 0;
    if (
      isCanary &&
      stopReason === null &&
      devices.some((d) => !okDeviceStatuses.has(runFor(input.runs, d).outcome.status))
    ) {
      stopReason = `the canary (${devices.map((d) => d.deviceName).join(', ')}) did not become healthy`;
    }
    if (input.signal.aborted || stopReason !== null) {
      for (const rest of input.waves.slice(index + 1)) {
        for (const id of rest) {
          const device = byId.get(id);
          if (device === undefined) continue;
          const run = runFor(input.runs, device);
          if (input.signal.aborted) {
            settle(
              run.finish(
                'cancelled',
                new AppError(
                  'CANCELLED',
                  `Cancelled before ${device.deviceName} was started; it stays on its previous release.`,
                ),
              ),
            );
          } else {
            skip(run);
          }
        }
      }
      break;
    }
  }

  const outcomes = input.devices.map((d) => runFor(input.runs, d).outcome);
  const status: RolloutResult['status'] = outcomes.some((o) => o.status === 'cancelled')
    ? 'cancelled'
    : stopReason !== null
      ? 'stopped'
      : outcomes.every((o) => okDeviceStatuses.has(o.status))
        ? 'succeeded'
        : 'failed';
  return { outcomes, status, stopReason };
}

function runFor(runs: ReadonlyMap<string, DeviceRun>, device: DevicePlan): DeviceRun {
  const run = runs.get(device.deviceId);
  if (run === undefined) throw new AppError('INTERNAL', `No run state for ${device.deviceName}.`);
  return run;
}
