import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, toAppError } from '../../../shared/errors';
import {
  releaseManifestSchema,
  type DeployStep,
  type DeviceDeployStatus,
  type DeviceFacts,
  type ReleaseManifest,
} from '../../../shared/schemas/deploy';
import type { ConnectionPool, ExecResult, SshConnection } from '../fleet/ssh';
import { runChain, type ChainLink } from './command-chain';
import { takeDeviceLock, type HeldLock, type LockPolicy } from './device-lock';
import { engineRecorded, engineRunner } from './engine-step';
import type { DeviceOutcome, DeviceRecorder, DeviceRun } from './device-run';
import { releaseFromLink } from './layout';
import {
  diskNeededBytes,
  type CommandId,
  type DeployPlan,
  type DevicePlan,
  type PlannedCommand,
  type PlannedStep,
} from './plan';
import { exitCodes, parseKeyValues } from './remote-scripts';

/**
 * Runs one device's plan over the fleet module's SSH connections by walking its steps in the plan's order:
 * each step of the plan is run by the runner of its name, which may skip it (its condition, as the plan
 * states it, is not met) or end the device's run. A restart or health-check failure after the switch sends
 * the walk to the plan's onFailure steps. Until the switch, cancelling stops the device before the next
 * step (it stays on its old release; an upload's temp file is removed by the next preflight). From the
 * switch on, the device is carried through restart, health check and, if needed, the switch back without
 * looking at the cancel signal: a device is never left with a new `current` whose service was not
 * restarted. When the switch rides in the verify's round trip (chainAfterVerify), that round trip is where
 * the device is committed.
 */

export type DeployTestHooks = {
  /** After the upload, before the sha256 check (tests corrupt the file here). */
  afterUpload?: (info: { deviceId: string; tempPath: string; conn: SshConnection }) => Promise<void> | void;
  /** After `current` changed on the device, before EdgeFleet records it (tests crash the process here). */
  afterSwitch?: (info: { deviceId: string; release: string }) => Promise<void> | void;
};

export type ExecutorContext = {
  pool: ConnectionPool;
  signal: AbortSignal;
  recorder?: DeviceRecorder;
  testHooks?: DeployTestHooks;
  /** How a held device lock is judged (the service passes its database); absent: only age decides. */
  lock?: LockPolicy;
  /**
   * The release our records say the device runs for this model. Only when it is the one being deployed
   * does the preflight first peek (no lock, no hashing): a re-deploy then costs one command per device.
   */
  trackedCurrent?: (deviceId: string) => string | null;
  /** The bytes of a file to upload when the rollout holds them (sharedUploadContent); null: read from disk. */
  uploadContent?: (localPath: string) => Promise<Buffer | null>;
};

type SwitchTarget = {
  /** Argument of the switch script: a release name or `@previous`. */
  spec: string;
  /** Known facts about the release being activated, for the record. */
  ref: { release: string; sha256: string; variantId: string | null; version: string | null } | null;
};

type ActivationState = {
  /** Something was installed, so even without a switch the service must restart. */
  changedFiles: boolean;
  /**
   * The device is already on this release through a switch that was never confirmed (the process died
   * between switch and health check): restart and check it now, and switch back from `.undo` on failure.
   */
  resume: { previous: string | null } | null;
};

/** One device's run so far: what the steps found, for the steps after them. */
type DeviceWalk = {
  device: DevicePlan;
  run: DeviceRun;
  ctx: ExecutorContext;
  conn: SshConnection | null;
  lock: HeldLock | null;
  /** What the switch activates; the preflight sets it. */
  activation: { target: SwitchTarget; state: ActivationState } | null;
  /** The switch step has begun: from here on the device is carried through, whatever the cancel signal. */
  committed: boolean;
  /** The switch changed `current`. */
  switched: boolean;
  /** Or `current` already was the release through an interrupted switch, being confirmed now. */
  resumed: boolean;
  /** Set by a restart or health check that failed after the switch: the walk goes on with onFailure. */
  failure: AppError | null;
  /** Results of plan commands that already ran, chained to an earlier step's (see runChain). */
  ahead: Map<CommandId, ExecResult>;
};

/** How a step ends the device's run early; null: the walk goes on. */
type StepEnd = { status: DeviceDeployStatus; error?: AppError | null };

export type StepRunner = {
  /** The step's condition (see PlannedStep.condition) is not met: it is passed over without progress. */
  skip?: (walk: DeviceWalk) => boolean;
  message?: (walk: DeviceWalk, step: PlannedStep) => string;
  run: (walk: DeviceWalk, step: PlannedStep) => Promise<StepEnd | null>;
};

export type StepRunners = Partial<Record<DeployStep, StepRunner>>;

/** Cancelling is honoured before every step up to this one, never after it has begun. */
const pointOfNoReturn: DeployStep = 'switch';

/** Walks the device's steps, then (after a failure past the switch) its onFailure steps. */
export async function walkDevice(
  device: DevicePlan,
  run: DeviceRun,
  ctx: ExecutorContext,
  runners: StepRunners,
): Promise<DeviceOutcome> {
  const walk: DeviceWalk = {
    device,
    run,
    ctx,
    conn: null,
    lock: null,
    activation: null,
    committed: false,
    switched: false,
    resumed: false,
    failure: null,
    ahead: new Map(),
  };
  try {
    const ended = await walkSteps(walk, device.steps, runners, { untilFailure: true });
    if (ended !== null) return run.finish(ended.status, ended.error ?? null);
    const failure = walk.failure;
    if (failure === null) return run.finish('deployed');
    run.log('error', failure.message);
    const recovered = await walkSteps(walk, device.onFailure, runners, { untilFailure: false });
    return run.finish(
      recovered?.status ?? 'failed',
      recovered === null ? failure : (recovered.error ?? null),
    );
  } catch (err) {
    const error = toAppError(err);
    return run.finish(error.code === 'CANCELLED' ? 'cancelled' : 'failed', error);
  } finally {
    await walk.lock?.release();
  }
}

async function walkSteps(
  walk: DeviceWalk,
  steps: readonly PlannedStep[],
  runners: StepRunners,
  { untilFailure }: { untilFailure: boolean },
): Promise<StepEnd | null> {
  for (const step of steps) {
    const runner = runners[step.step];
    if (runner === undefined) {
      throw new AppError(
        'INTERNAL',
        `The plan for ${walk.device.deviceName} has a ${step.step} step, which this kind of rollout cannot run.`,
      );
    }
    if (runner.skip?.(walk) === true) continue;
    if (!walk.committed) throwIfCancelled(walk.ctx.signal, walk.device);
    if (step.step === pointOfNoReturn) walk.committed = true;
    walk.run.begin(step.step, runner.message?.(walk, step));
    const ended = await runner.run(walk, step);
    if (ended !== null) return ended;
    if (untilFailure && walk.failure !== null) return null;
  }
  return null;
}

/** The device's SSH connection: every step after the connect step has one. */
export function connOf(walk: DeviceWalk): SshConnection {
  if (walk.conn === null) {
    throw new AppError('INTERNAL', `The plan for ${walk.device.deviceName} has no connect step first.`);
  }
  return walk.conn;
}

/** The step's own command of this id: the executor runs the plan's commands and nothing else. */
export function commandOf(device: DevicePlan, step: PlannedStep, id: CommandId): PlannedCommand {
  const found = step.commands.find((c) => c.id === id);
  if (found === undefined) {
    throw new AppError('INTERNAL', `The ${step.step} step for ${device.deviceName} has no ${id} command.`);
  }
  return found;
}

export const connectRunner: StepRunner = {
  message: (walk) => `Connecting to ${walk.device.where}`,
  run: async (walk) => {
    walk.conn = await walk.ctx.pool.get(walk.device.ssh);
    return null;
  },
};

/** Takes the device lock with the step's lock command; released when the walk ends, whatever the outcome. */
export async function lockDevice(
  walk: DeviceWalk,
  step: PlannedStep,
  ids: { deploymentId: string; modelName: string },
  acquired?: ExecResult,
): Promise<void> {
  walk.lock = await takeDeviceLock(
    connOf(walk),
    walk.device,
    commandOf(walk.device, step, 'lock'),
    ids,
    walk.run,
    walk.ctx.pool,
    walk.ctx.lock,
    walk.ctx.signal,
    acquired,
  );
}

/**
 * The lock, then (once it is ours) the preflight, in one round trip; a held lock is judged here first (and
 * maybe taken over), then the preflight runs on its own.
 */
async function lockAndPreflight(
  walk: DeviceWalk,
  step: PlannedStep,
  ids: { deploymentId: string; modelName: string },
): Promise<ExecResult> {
  const preflight = commandOf(walk.device, step, 'preflight');
  const [lock, pre] = await runChain(
    connOf(walk),
    commandOf(walk.device, step, 'lock'),
    [{ cmd: preflight, when: { line: 'lock=acquired' } }],
    walk.ctx.signal,
  );
  if (lock === undefined) throw new AppError('INTERNAL', 'The lock command gave no result.');
  await lockDevice(walk, step, ids, lock);
  return pre ?? (await runPlanned(connOf(walk), preflight, walk.ctx.signal));
}

const switchRunner: StepRunner = {
  run: async (walk, step) => {
    const { device, run, ctx } = walk;
    const activation = walk.activation;
    if (activation === null) {
      throw new AppError('INTERNAL', `The plan for ${device.deviceName} switches before any preflight.`);
    }
    walk.conn = await reconnectIfClosed(connOf(walk), device, ctx);
    const sw = await runOrTake(walk, commandOf(device, step, 'switch'));
    if (sw.code !== 0) throw scriptError(device, 'switch', sw);
    const values = parseKeyValues(sw.stdout).values;
    const release = values.get('release') ?? activation.target.spec;
    const oldCurrent =
      releaseFromLink(values.get('old_current') || null) ?? (values.get('old_current') || null);
    walk.switched = values.get('switched') === 'yes';
    walk.resumed = !walk.switched && activation.state.resume !== null;
    run.outcome.releaseAfter = release;
    logRemoved(run, sw.stdout);
    if (walk.switched || walk.resumed) {
      const previous = walk.switched
        ? oldCurrent
        : (releaseFromLink(activation.state.resume?.previous ?? null) ?? null);
      if (walk.switched) run.log('info', `current → releases/${release} (was ${oldCurrent ?? 'none'})`);
      await ctx.testHooks?.afterSwitch?.({ deviceId: device.deviceId, release });
      ctx.recorder?.releaseChanged(device.deviceId, {
        kind: 'switched',
        current: release,
        previous,
        currentRef: activation.target.ref === null ? null : { ...activation.target.ref, release },
      });
      return null;
    }
    if (!activation.state.changedFiles) {
      run.log('info', `current already points at ${release}`);
      return { status: 'unchanged' };
    }
    run.log('info', `current already points at ${release}; its file was replaced, so the service restarts`);
    return null;
  },
};

/** Switches back after a failed restart or health check (the plan's onFailure step), then restarts again. */
const switchBackRunner: StepRunner = {
  run: async (walk, step) => {
    const { device, run, ctx } = walk;
    const failure = walk.failure ?? new AppError('INTERNAL', `Nothing failed on ${device.deviceName}.`);
    const fail = (message: string): StepEnd => ({
      status: 'failed',
      error: new AppError(failure.code, `${failure.message} ${message}`, failure.details),
    });
    if (!walk.switched && !walk.resumed) {
      return fail(
        "There is no other release to switch back to (the active release's file was replaced in place); fix the device's service and redeploy.",
      );
    }
    const release = run.outcome.releaseAfter;
    walk.conn = await reconnectIfClosed(connOf(walk), device, ctx);
    const undo = await runPlanned(walk.conn, commandOf(device, step, 'undo-switch'));
    if (undo.code !== 0) {
      const why = undo.stderr.trim() || `exit ${undo.code}`;
      return fail(
        `Switching back also failed (${why}): ${device.deviceName} may still run ${release ?? 'the new release'}. Check it, then roll back or redeploy.`,
      );
    }
    const restored = parseKeyValues(undo.stdout).values;
    const backTo = releaseFromLink(restored.get('current') || null) ?? (restored.get('current') || null);
    run.outcome.releaseAfter = backTo;
    run.log('warn', `Switched back: current → ${backTo ?? 'none'}`);
    ctx.recorder?.releaseChanged(device.deviceId, {
      kind: 'restored',
      current: backTo,
      previous: releaseFromLink(restored.get('previous') || null) ?? (restored.get('previous') || null),
      currentRef: null,
    });
    const restartAgain = step.commands.find((c) => c.id === 'restart');
    if (restartAgain !== undefined) {
      const again = await runRestart(walk.conn, restartAgain, device);
      if (again !== null) {
        return fail(
          `${device.deviceName} was switched back to ${backTo ?? 'no release'}, but restarting it then failed too (${again.message}): its service may be down.`,
        );
      }
    }
    return {
      status: 'rolled_back',
      error: new AppError(
        failure.code,
        `${failure.message} ${device.deviceName} was switched back to ${backTo ?? 'no release'} and restarted.`,
        failure.details,
      ),
    };
  },
};

/**
 * switch → restart → health check → confirm and prune, and the switch-back on failure: the same runners
 * for a deploy and a rollback. Which of them run, and in what order, is the plan's.
 */
export const activationRunners: StepRunners = {
  switch: switchRunner,
  restart: {
    run: async (walk, step) => {
      walk.failure = await runRestart(connOf(walk), commandOf(walk.device, step, 'restart'), walk.device);
      return null;
    },
  },
  health: {
    run: async (walk, step) => {
      walk.failure = await runHealth(
        connOf(walk),
        commandOf(walk.device, step, 'health'),
        step.attempts ?? 1,
        step.intervalMs ?? 0,
        walk.device,
        walk.run,
      );
      return null;
    },
  },
  prune: {
    // Removes `.undo` (the switch is confirmed) and old releases.
    run: async (walk, step) => {
      try {
        const result = await runPlanned(connOf(walk), commandOf(walk.device, step, 'prune'));
        logRemoved(walk.run, result.stdout);
        if (result.code !== 0) {
          walk.run.log('warn', `Pruning old releases failed (${exitText(result)}); they stay on the device`);
        }
      } catch (err) {
        // The release is active and healthy: a failed clean-up must not make the deploy look failed.
        walk.run.log('warn', `Pruning old releases failed: ${toAppError(err).message}`);
      }
      return null;
    },
  },
  rollback: switchBackRunner,
};

/** A deploy of the plan's artifact to one device. */
export function executeDeployDevice(
  deploy: DeployPlan,
  device: DevicePlan,
  run: DeviceRun,
  ctx: ExecutorContext,
): Promise<DeviceOutcome> {
  const artifact = deploy.artifact;
  // What the preflight found on the device; the upload, verify and install steps run only when needed.
  let fileThere = false;
  let manifestOk = false;
  const ref = {
    release: deploy.release,
    sha256: artifact.sha256,
    variantId: artifact.variantId,
    version: artifact.version,
  };
  /** Records what preflight or peek found on the device; `unchanged` when it already runs the release. */
  const alreadyActive = (
    values: Map<string, string>,
    manifest: string | null,
    facts: DeviceFacts | null,
  ): boolean => {
    run.outcome.facts = facts;
    const currentLink = values.get('current') || null;
    run.outcome.releaseBefore = releaseFromLink(currentLink) ?? currentLink;
    const active =
      values.get('release_sha256') === artifact.sha256 &&
      manifestMatches(manifest, deploy.release, artifact.sha256) &&
      // With --tensorrt the release is only complete once its manifest records this engine build.
      engineRecorded(parseManifest(manifest), deploy.options.tensorrt) &&
      releaseFromLink(currentLink) === deploy.release &&
      values.get('current_not_link') !== '1' &&
      (values.get('pending_switch') ?? '') === '';
    if (!active) return false;
    run.outcome.releaseAfter = deploy.release;
    ctx.recorder?.releaseFound?.(device.deviceId, {
      kind: 'switched',
      current: deploy.release,
      previous: releaseFromLink(values.get('previous') || null),
      currentRef: ref,
    });
    const how =
      values.get('sha256_from') === 'cache'
        ? ' (its sha256 as verified earlier, the file unchanged since)'
        : '';
    run.log('info', `Already runs ${deploy.release}${how}: nothing to do`);
    return true;
  };
  return walkDevice(device, run, ctx, {
    connect: connectRunner,
    preflight: {
      run: async (walk, step) => {
        const peek = step.commands.find((c) => c.id === 'peek');
        if (peek !== undefined && ctx.trackedCurrent?.(device.deviceId) === deploy.release) {
          const seen = await runPlanned(connOf(walk), peek, ctx.signal);
          const { values, manifest } = parseKeyValues(seen.stdout);
          // Under someone else's lock the state may be half-way through a change: the locked path decides.
          if (seen.code === 0 && values.get('locked') !== '1' && alreadyActive(values, manifest, null)) {
            return { status: 'unchanged' };
          }
        }
        // A device that gets this far usually needs the upload: its SFTP session opens meanwhile (unused, and
        // closed with the connection, when the release turns out to be there).
        if (ctx.trackedCurrent?.(device.deviceId) !== deploy.release) {
          connOf(walk)
            .sftp()
            .catch(() => undefined);
        }
        const pre = await lockAndPreflight(walk, step, {
          deploymentId: deploy.deploymentId,
          modelName: artifact.modelName,
        });
        if (pre.code !== 0) throw preflightError(device, pre);
        const { values, manifest } = parseKeyValues(pre.stdout);
        const facts = factsFrom(values);
        run.outcome.facts = facts;
        const currentLink = values.get('current') || null;
        run.outcome.releaseBefore = releaseFromLink(currentLink) ?? currentLink;
        const removed = Number(values.get('removed_temp') ?? '0');
        if (removed > 0)
          run.log('info', `Removed ${removed} leftover temporary file(s) of an interrupted deploy`);
        if (values.get('current_not_link') === '1') {
          throw new AppError(
            'PREFLIGHT_FAILED',
            `${device.paths.currentLink} on ${device.deviceName} is a real file or directory, not a link. Move it away (it was not made by EdgeFleet), then retry.`,
          );
        }
        fileThere = values.get('release_sha256') === artifact.sha256;
        manifestOk =
          fileThere &&
          manifestMatches(manifest, deploy.release, artifact.sha256) &&
          engineRecorded(parseManifest(manifest), deploy.options.tensorrt);
        const isCurrent = releaseFromLink(currentLink) === deploy.release;
        const resume = isCurrent && values.get('pending_switch') === deploy.release;
        run.log(
          'info',
          `Device: ${facts.arch ?? 'unknown arch'}, ${formatBytes(facts.availableBytes)} free, current ${currentLink ?? 'none'}`,
        );
        if (resume) {
          run.log(
            'warn',
            `An earlier switch to ${deploy.release} was never confirmed (interrupted): restarting and checking it now`,
          );
        }
        if (!resume && alreadyActive(values, manifest, facts)) return { status: 'unchanged' };
        if (fileThere) {
          run.log(
            'info',
            `Release ${deploy.release} is already on the device with the right sha256: 0 bytes to send`,
          );
        } else {
          assertDiskSpace(device, facts, artifact.sizeBytes, deploy.options.diskMarginBytes);
        }
        walk.activation = {
          target: { spec: deploy.release, ref },
          state: {
            changedFiles: !fileThere,
            resume: resume ? { previous: values.get('previous') || null } : null,
          },
        };
        return null;
      },
    },
    upload: {
      skip: () => fileThere,
      message: (_walk, step) => `Uploading ${artifact.sizeBytes} B to ${step.upload?.remotePath ?? '?'}`,
      run: async (walk, step) => {
        const upload = step.upload;
        if (upload === null) throw new AppError('INTERNAL', 'The plan has no upload step.');
        const conn = connOf(walk);
        const content = (await ctx.uploadContent?.(upload.localPath)) ?? undefined;
        run.uploadStarted();
        try {
          // The SSH layer rejects with UNREACHABLE when the connection drops mid-transfer.
          const result = await conn.upload(upload.localPath, upload.remotePath, {
            mode: upload.mode,
            signal: ctx.signal,
            onProgress: (sent, total) => run.bytes(sent, total),
            // On the device's storage before the checksum and the switch: a power cut after the switch must
            // not leave `current` on a partial file. Without the SFTP extension the install script's `sync`
            // does it.
            fsync: true,
            content,
          });
          run.bytes(result.bytes, result.bytes);
          run.log(
            'info',
            `Uploaded ${result.bytes} B in ${result.ms.toFixed(0)} ms (${result.mbPerSec.toFixed(1)} MB/s)`,
          );
          run.log(
            'info',
            result.flushed
              ? 'Flushed to the device storage (SFTP fsync)'
              : 'The SFTP server has no fsync extension: the install step flushes with sync',
          );
        } catch (err) {
          throw uploadError(err, conn, device, run.outcome.bytesSent, artifact.sizeBytes);
        }
        await ctx.testHooks?.afterUpload?.({ deviceId: device.deviceId, tempPath: upload.remotePath, conn });
        return null;
      },
    },
    verify: {
      skip: () => fileThere,
      run: async (walk, step) => {
        // The install, and the switch when nothing comes between them, follow a good checksum with no
        // decision of ours in between: the same round trip. The switch is then the point of no return
        // already, so a cancel from here on carries the device through (as it does once a switch began).
        const chained = chainAfterVerify(walk, manifestOk);
        if (chained.some((l) => l.cmd.id === 'switch')) walk.committed = true;
        const [verify, ...rest] = await runChain(
          connOf(walk),
          commandOf(device, step, 'verify'),
          chained,
          ctx.signal,
        );
        if (verify === undefined) throw new AppError('INTERNAL', 'The verify command gave no result.');
        rest.forEach((result, i) => {
          const id = chained[i]?.cmd.id;
          if (id !== undefined) walk.ahead.set(id, result);
        });
        const actual = parseKeyValues(verify.stdout).values.get('sha256') ?? '';
        if (verify.code === exitCodes.checksumMismatch) {
          throw new AppError(
            'CHECKSUM_MISMATCH',
            `The file on ${device.deviceName} has sha256 ${actual || '(none)'}, expected ${artifact.sha256}: it was damaged in transit or on the device's storage. The bad copy was removed; retry, and check the device's disk if it happens again.`,
            { expected: artifact.sha256, actual },
          );
        }
        if (verify.code !== 0) throw scriptError(device, 'verify', verify);
        run.log('info', `sha256 verified on the device (${actual.slice(0, 12)}…)`);
        return null;
      },
    },
    install: {
      skip: () => manifestOk,
      run: async (walk, step) => {
        const install = await runOrTake(walk, commandOf(device, step, 'install'), ctx.signal);
        if (install.code !== 0) throw scriptError(device, 'install', install);
        if (fileThere) run.log('info', 'Rewrote the release manifest');
        return null;
      },
    },
    engine: engineRunner(deploy, () => manifestOk),
    ...activationRunners,
  });
}

async function runRestart(
  conn: SshConnection,
  cmd: PlannedCommand,
  device: DevicePlan,
): Promise<AppError | null> {
  try {
    const result = await runPlanned(conn, cmd);
    if (result.code === 0) return null;
    return new AppError(
      'RESTART_FAILED',
      `The restart command on ${device.deviceName} ${exitText(result)}${tailText(result)}.`,
      { code: result.code, stderr: result.stderr.slice(-2000) },
    );
  } catch (err) {
    const e = toAppError(err);
    return new AppError(
      'RESTART_FAILED',
      `The restart command on ${device.deviceName} failed: ${e.message}`,
      {
        cause: e.code,
      },
    );
  }
}

async function runHealth(
  conn: SshConnection,
  cmd: PlannedCommand,
  attempts: number,
  intervalMs: number,
  device: DevicePlan,
  run: DeviceRun,
): Promise<AppError | null> {
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const result = await runPlanned(conn, cmd);
      if (result.code === 0) {
        run.log('info', `Health check passed (attempt ${attempt} of ${attempts})`);
        return null;
      }
      last = `${exitText(result)}${tailText(result)}`;
    } catch (err) {
      const e = toAppError(err);
      last = e.message;
      if (conn.closed) break;
    }
    run.log('warn', `Health check attempt ${attempt} of ${attempts}: ${last}`);
    if (attempt < attempts && intervalMs > 0) await sleep(intervalMs);
  }
  return new AppError(
    'HEALTH_CHECK_FAILED',
    `The health check on ${device.deviceName} failed ${attempts === 1 ? 'once' : `${attempts} times`} (last: ${last}).`,
    { attempts },
  );
}

function logRemoved(run: DeviceRun, stdout: string): void {
  const removed = stdout
    .split('\n')
    .filter((l) => l.startsWith('removed='))
    .map((l) => l.slice('removed='.length));
  if (removed.length > 0) run.log('info', `Removed old releases: ${removed.join(', ')}`);
}

/** After the switch a dropped connection is retried once: switching back matters more than the first socket. */
async function reconnectIfClosed(
  conn: SshConnection,
  device: DevicePlan,
  ctx: ExecutorContext,
): Promise<SshConnection> {
  return conn.closed ? ctx.pool.get(device.ssh) : conn;
}

/** The command's result when it already ran chained to an earlier one; else it runs now. */
function runOrTake(walk: DeviceWalk, cmd: PlannedCommand, signal?: AbortSignal): Promise<ExecResult> {
  const ran = walk.ahead.get(cmd.id);
  if (ran !== undefined) {
    walk.ahead.delete(cmd.id);
    return Promise.resolve(ran);
  }
  return runPlanned(connOf(walk), cmd, signal);
}

/**
 * What runs in the verify's round trip: the install (unless the release's manifest is already right), then
 * the switch when the plan has it right after the install (no TensorRT build in between) and the preflight
 * said what to switch to.
 */
function chainAfterVerify(walk: DeviceWalk, manifestOk: boolean): ChainLink[] {
  const steps = walk.device.steps;
  const at = steps.findIndex((s) => s.step === 'install');
  const install = steps[at];
  if (manifestOk || install === undefined) return [];
  const links: ChainLink[] = [{ cmd: commandOf(walk.device, install, 'install'), when: 'ok' }];
  const next = steps[at + 1];
  if (next?.step === 'switch' && walk.activation !== null) {
    links.push({ cmd: commandOf(walk.device, next, 'switch'), when: 'ok' });
  }
  return links;
}

export function runPlanned(
  conn: SshConnection,
  cmd: PlannedCommand,
  signal?: AbortSignal,
): Promise<ExecResult> {
  return conn.exec(cmd.exec, {
    // The plan writes "none" as null; exec takes undefined for "the target's default" and "no stdin".
    timeoutMs: cmd.timeoutMs ?? undefined,
    stdin: cmd.stdin ?? undefined,
    signal,
  });
}

function throwIfCancelled(signal: AbortSignal, device: DevicePlan): void {
  if (signal.aborted) {
    throw new AppError(
      'CANCELLED',
      `Cancelled before ${device.deviceName} was changed; it stays on its previous release.`,
    );
  }
}

function manifestMatches(text: string | null, release: string, sha256: string): boolean {
  const manifest = parseManifest(text);
  return manifest !== null && manifest.release === release && manifest.sha256 === sha256;
}

export function parseManifest(text: string | null): ReleaseManifest | null {
  if (text === null) return null;
  try {
    const parsed = releaseManifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function factsFrom(values: Map<string, string>): DeviceFacts {
  const availKb = values.get('avail_kb');
  const notes: string[] = [];
  const python = values.get('python3');
  notes.push(python ? `python3 at ${python}` : 'no python3 on PATH');
  const availableBytes = availKb !== undefined && /^\d+$/.test(availKb) ? Number(availKb) * 1024 : null;
  if (availableBytes === null) notes.push('free space unknown (df gave no answer)');
  // `uname -srm`: "Linux 6.1.0-18-arm64 aarch64".
  const uname = (values.get('uname') ?? '').trim().split(/\s+/).filter(Boolean);
  return {
    arch: uname.length >= 3 ? (uname.at(-1) ?? null) : null,
    kernel: uname.length >= 3 ? uname.slice(0, -1).join(' ') : null,
    availableBytes,
    hasher: values.get('hasher') || null,
    notes,
  };
}

function assertDiskSpace(device: DevicePlan, facts: DeviceFacts, size: number, margin: number): void {
  const needed = diskNeededBytes(size, { diskMarginBytes: margin });
  if (facts.availableBytes !== null && facts.availableBytes < needed) {
    throw new AppError(
      'INSUFFICIENT_DISK',
      `${device.deviceName} has ${formatBytes(facts.availableBytes)} free in ${device.paths.releasesDir}, and the deploy needs ${formatBytes(needed)} (2 × ${formatBytes(size)} + ${formatBytes(margin)} margin). Nothing was uploaded. Free space on the device (old releases, logs) or choose another deploy root, then retry.`,
      { availableBytes: facts.availableBytes, neededBytes: needed },
    );
  }
}

function preflightError(device: DevicePlan, result: ExecResult): AppError {
  const why = result.stderr.trim() || `exit ${result.code}`;
  const hint =
    result.code === exitCodes.cannotWrite
      ? `Give ${device.ssh.username} write access to ${device.paths.deployRoot} (or choose another deploy root), then retry.`
      : result.code === exitCodes.noHasher
        ? 'Install openssl, coreutils (sha256sum) or perl (shasum) on the device, then retry.'
        : result.code === exitCodes.noMoveT
          ? 'The atomic switch renames a link with `mv -T`: install GNU coreutils (or a BusyBox whose mv has -T), then retry.'
          : 'Check the device, then retry.';
  return new AppError('PREFLIGHT_FAILED', `Preflight on ${device.deviceName} failed: ${why}. ${hint}`, {
    exitCode: result.code,
  });
}

function scriptError(device: DevicePlan, what: string, result: ExecResult): AppError {
  const why = result.stderr.trim() || `exit ${result.code}`;
  return new AppError(
    'REMOTE_COMMAND_FAILED',
    `The ${what} step on ${device.deviceName} failed: ${why}. The device stays on its previous release; check it and retry.`,
    { exitCode: result.code, stderr: result.stderr.slice(-2000) },
  );
}

function uploadError(
  err: unknown,
  conn: SshConnection,
  device: DevicePlan,
  sent: number,
  total: number,
): AppError {
  const e = toAppError(err);
  if (e.code === 'CANCELLED') {
    return new AppError(
      'CANCELLED',
      `Cancelled during the upload to ${device.deviceName} (${sent} of ${total} B sent); it stays on its previous release.`,
    );
  }
  if (conn.closed || e.code === 'UNREACHABLE') {
    return new AppError(
      'UNREACHABLE',
      `Lost the connection to ${device.deviceName} during the upload (${sent} of ${total} B sent): ${e.message} It stays on its previous release; the partial file is removed at the next attempt. Retry when the device is back.`,
      { bytesSent: sent },
    );
  }
  return new AppError(
    e.code,
    `Uploading to ${device.deviceName} failed after ${sent} of ${total} B: ${e.message} It stays on its previous release; the partial file is removed at the next attempt. Check the device's free space and permissions, then retry.`,
    e.details,
  );
}

function exitText(result: ExecResult): string {
  return result.signal !== null ? `was killed by ${result.signal}` : `exited with ${result.code}`;
}

function tailText(result: ExecResult): string {
  const text = (result.stderr.trim() || result.stdout.trim()).slice(-300);
  return text === '' ? '' : `: ${text}`;
}

function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
