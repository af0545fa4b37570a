import { AppError, toAppError } from '../../../shared/errors';
import type { DeploymentStatus } from '../../../shared/schemas/deploy';
import type { ConnectionPool, ExecResult, SshConnection } from '../fleet/ssh';
import type { DeviceRun } from './device-run';
import { lockCommand, type DevicePlan, type PlannedCommand } from './plan';
import { exitCodes, parseKeyValues } from './remote-scripts';

/**
 * The device side of "one deployment per device": the lock directory on the device (lockScript), taken
 * before the preflight and released when the device is done. Two EdgeFleet processes (the GUI and the CLI,
 * or two machines) may hold different databases, so the device itself is the arbiter. A lock whose holder
 * is not running any more is taken over only after a check, and the device's log says so:
 *
 * - the holder is a deployment this database knows, and it is no longer running (finished, interrupted);
 * - or the holder is unknown here and its lock shows no progress for longer than `staleAfterMs`.
 */

type LockHolderLookup = (
  deploymentId: string,
) => { status: DeploymentStatus; modelName: string; createdAt: string } | undefined;

export type LockPolicy = {
  /** What this process's database knows about a holder. */
  lookup: LockHolderLookup;
  /** A lock of an unknown deployment that shows no progress for longer is stale. Default 15 min. */
  staleAfterMs?: number;
  /** How often a holder touches its lock while the device runs. Default 60 s. */
  refreshEveryMs?: number;
};

const defaultLockStaleAfterMs = 15 * 60_000;
const defaultRefreshEveryMs = 60_000;

export type HeldLock = {
  /** Stops the refresh and removes the lock if it is still ours; never throws. */
  release(): Promise<void>;
};

type Holder = { deploymentId: string; startedAt: string | null; modelName: string | null; idleS: number };

export async function takeDeviceLock(
  conn: SshConnection,
  device: DevicePlan,
  acquire: PlannedCommand,
  ids: { deploymentId: string; modelName: string },
  run: DeviceRun,
  pool: ConnectionPool,
  policy: LockPolicy | undefined,
  signal: AbortSignal,
  /** The acquire command's result when it already ran (chained before the preflight). */
  acquired?: ExecResult,
): Promise<HeldLock> {
  let answer =
    acquired === undefined ? await lockExec(conn, acquire, device, signal) : lockAnswer(acquired, device);
  if (answer.state === 'held') {
    const holder = answer.holder;
    const stale = staleReason(holder, policy);
    if (stale === null) throw busy(device, holder, policy);
    const takeover = lockCommand(
      device.paths,
      ids.modelName,
      ids.deploymentId,
      'takeover',
      holder.deploymentId,
    );
    answer = await lockExec(conn, takeover, device, signal);
    if (answer.state === 'held') throw busy(device, answer.holder, policy);
    run.log(
      'warn',
      `Took over the device lock ${device.paths.lockDir} from deployment ${holder.deploymentId || '(no owner recorded)'}: ${stale}`,
    );
  }
  const every = policy?.refreshEveryMs ?? defaultRefreshEveryMs;
  let current = conn;
  const timer = setInterval(() => {
    if (current.closed) return;
    current.exec(device.lock.refresh.exec, { timeoutMs: every }).catch(() => undefined);
  }, every);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      try {
        // After a dropped connection (sshd killed mid-upload) the pool reconnects once; if the device is
        // gone, the lock stays and the next deploy takes it over (this deployment is finished by then).
        if (current.closed) current = await pool.get(device.ssh);
        const result = await current.exec(device.lock.release.exec, {});
        if (result.code !== 0) throw new Error(result.stderr.trim() || `exit ${result.code}`);
      } catch (err) {
        run.log(
          'warn',
          `Could not release the device lock ${device.paths.lockDir} (${toAppError(err).message}); the next deploy takes it over after checking that this one is finished`,
        );
      }
    },
  };
}

type LockAnswer = { state: 'acquired' } | { state: 'held'; holder: Holder };

async function lockExec(
  conn: SshConnection,
  cmd: PlannedCommand,
  device: DevicePlan,
  signal: AbortSignal,
): Promise<LockAnswer> {
  return lockAnswer(await conn.exec(cmd.exec, { signal }), device);
}

function lockAnswer(result: ExecResult, device: DevicePlan): LockAnswer {
  if (result.code === exitCodes.cannotWrite) {
    throw new AppError(
      'PREFLIGHT_FAILED',
      `Preflight on ${device.deviceName} failed: ${result.stderr.trim()}. Give ${device.ssh.username} write access to ${device.paths.deployRoot} (or choose another deploy root), then retry.`,
      { exitCode: result.code },
    );
  }
  const values = parseKeyValues(result.stdout).values;
  const state = values.get('lock');
  if (result.code !== 0 || state === undefined) {
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      `Taking the device lock on ${device.deviceName} failed: ${result.stderr.trim() || `exit ${result.code}`}. Nothing was changed; check the device and retry.`,
      { exitCode: result.code },
    );
  }
  if (state !== 'held') return { state: 'acquired' };
  const started = Number(values.get('holder_started') ?? '');
  return {
    state: 'held',
    holder: {
      deploymentId: values.get('holder') ?? '',
      startedAt: Number.isFinite(started) && started > 0 ? new Date(started * 1000).toISOString() : null,
      modelName: values.get('holder_model') || null,
      idleS: Number(values.get('idle_s') ?? '0') || 0,
    },
  };
}

/** Why the holder's lock may be taken over, or null when it may still be working. */
function staleReason(holder: Holder, policy: LockPolicy | undefined): string | null {
  const known = holder.deploymentId === '' ? undefined : policy?.lookup(holder.deploymentId);
  if (known !== undefined) {
    return known.status === 'running'
      ? null
      : `that deployment is ${known.status} in this EdgeFleet's database`;
  }
  const boundS = Math.round((policy?.staleAfterMs ?? defaultLockStaleAfterMs) / 1000);
  return holder.idleS > boundS
    ? `this database does not know it, and its lock showed no progress for ${holder.idleS} s (more than ${boundS} s)`
    : null;
}

function busy(device: DevicePlan, holder: Holder, policy: LockPolicy | undefined): AppError {
  const known = holder.deploymentId === '' ? undefined : policy?.lookup(holder.deploymentId);
  const model = known?.modelName ?? holder.modelName ?? 'an unknown model';
  const startedAt = known?.createdAt ?? holder.startedAt;
  const who =
    holder.deploymentId === '' ? 'another deployment (just starting)' : `deployment ${holder.deploymentId}`;
  return new AppError(
    'DEVICE_BUSY',
    `${device.deviceName} is busy: ${who} of model ${model}${startedAt === null ? '' : `, started at ${startedAt}`}, holds its deploy lock (${device.paths.lockDir}). Nothing was changed. Wait for it to finish (or cancel it), then retry.`,
    { holder: { deploymentId: holder.deploymentId, modelName: model, startedAt } },
  );
}
