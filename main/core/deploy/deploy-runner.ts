import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import { AppError, toAppError, type AppErrorData } from '../../../shared/errors';
import type {
  DeploymentReport,
  DeployOptionsInput,
  DeployProgress,
  DeployTargetInfo,
  DriftReport,
  DriftResult,
} from '../../../shared/schemas/deploy';
import { ConnectionPool, describeTarget } from '../fleet/ssh';
import type { Logger } from '../logger';
import { DeployRepository, deviceBusy, type NewDeployment } from './deploy-repository';
import { localArtifactCheck } from './local-artifact';
import { DeviceRun, type DeviceOutcome, type DeviceProgressEvent } from './device-run';
import { adoptedRelease, checkDrift, type DriftOptions } from './drift';
import type { LockPolicy } from './device-lock';
import { claimDevices } from './device-mutex';
import { sharedUploadContent } from './upload-content';
import { executeDeployDevice, type DeployTestHooks, type ExecutorContext } from './executor';
import { planDeploy, type DeployPlan, type DevicePlan, type PlanContext } from './plan';
import { executeRollbackDevice, planRollback, type RollbackPlan, type RollbackRequest } from './rollback';
import { runRollout, type RolloutResult } from './rollout';
import {
  DbRecorder,
  heartbeatEveryMs,
  knownRef,
  markInterruptedDeployments,
  type InterruptOptions,
} from './tracking';
import type { DeployArtifact, DeployTarget } from './types';

export type RunControl = {
  signal?: AbortSignal;
  onProgress?: (progress: DeployProgress) => void;
  testHooks?: DeployTestHooks;
  /** Fixed ids and times, for tests and for a caller that showed the plan first. */
  context?: PlanContext;
};

export type DeployRunnerOptions = {
  logger?: Logger;
  interrupt?: InterruptOptions;
  /** Device locks: when a held lock counts as stale, how often a holder shows progress. */
  lock?: Pick<LockPolicy, 'staleAfterMs' | 'refreshEveryMs'>;
};

/**
 * Runs deploy and rollback plans and drift checks over targets given as plain data, and records every rollout
 * in SQLite as it goes. It knows no names: DeployService (deploy-service.ts) is the one front door that
 * resolves models and devices and calls this; the deploy integration tests call it with sshd fixtures.
 */
export class DeployRunner {
  readonly repo: DeployRepository;
  private readonly logger: Logger | undefined;
  private readonly lockPolicy: LockPolicy;
  private readonly interrupt: InterruptOptions | undefined;
  private readonly assertLocalArtifact: (artifact: DeployArtifact) => Promise<void>;

  constructor(db: Database, options: DeployRunnerOptions = {}) {
    this.repo = new DeployRepository(db);
    this.assertLocalArtifact = localArtifactCheck(db);
    this.logger = options.logger;
    this.interrupt = options.interrupt;
    this.lockPolicy = {
      ...options.lock,
      lookup: (id) => {
        const d = this.repo.deployment(id);
        return d && { status: d.status, modelName: d.modelName, createdAt: d.createdAt };
      },
    };
  }

  /** Creates the runner and marks deployments a dead process left `running` as `interrupted`. */
  static open(db: Database, options: DeployRunnerOptions = {}): DeployRunner {
    const runner = new DeployRunner(db, options);
    const marked = runner.recoverInterrupted(options.interrupt);
    if (marked.length > 0) runner.logger?.warn({ deployments: marked }, 'marked interrupted deployments');
    return runner;
  }

  recoverInterrupted(options: InterruptOptions = {}): string[] {
    return markInterruptedDeployments(this.repo, options);
  }

  /**
   * DEVICE_BUSY when another running deployment (this process or another on the same database) still has
   * one of these devices; lets a caller refuse before starting a job. The rollout checks again atomically.
   */
  assertDevicesFree(targets: readonly Pick<DeployTarget, 'deviceId'>[]): void {
    this.recoverInterrupted(this.interrupt);
    const holders = this.repo.busyDevices(targets.map((t) => t.deviceId));
    if (holders.length > 0) throw deviceBusy(holders);
  }

  /** Plans and runs a deploy of a local artifact. */
  deployArtifact(
    artifact: DeployArtifact,
    targets: readonly DeployTarget[],
    options: DeployOptionsInput = {},
    control: RunControl = {},
  ): Promise<DeploymentReport> {
    return this.runDeployPlan(
      planDeploy(artifact, targets, options, control.context ?? {}),
      targets,
      control,
    );
  }

  /** Runs a plan made earlier (the one a caller showed or checked), so what runs is what was planned. */
  async runDeployPlan(
    plan: DeployPlan,
    targets: readonly DeployTarget[],
    control: Omit<RunControl, 'context'> = {},
  ): Promise<DeploymentReport> {
    const artifact = plan.artifact;
    await this.assertLocalArtifact(artifact);
    return this.runPlan(plan, targets, control, {
      kind: 'deploy',
      modelName: artifact.modelName,
      variantId: artifact.variantId,
      version: artifact.version,
      release: plan.release,
      sha256: artifact.sha256,
      sizeBytes: artifact.sizeBytes,
      requestedBy: plan.deployedBy,
      runDevice: (device, run, ctx) => executeDeployDevice(plan, device, run, ctx),
    });
  }

  /** Plans and runs a rollback of these targets. */
  rollbackTargets(
    targets: readonly DeployTarget[],
    request: RollbackRequest,
    options: DeployOptionsInput = {},
    control: RunControl = {},
  ): Promise<DeploymentReport> {
    return this.runRollbackPlan(
      planRollback(targets, request, options, control.context ?? {}),
      targets,
      control,
    );
  }

  runRollbackPlan(
    plan: RollbackPlan,
    targets: readonly DeployTarget[],
    control: Omit<RunControl, 'context'> = {},
  ): Promise<DeploymentReport> {
    return this.runPlan(plan, targets, control, {
      kind: 'rollback',
      modelName: plan.modelName,
      variantId: null,
      version: null,
      release: plan.toRelease,
      sha256: null,
      sizeBytes: null,
      requestedBy: plan.requestedBy,
      runDevice: (device, run, ctx) => executeRollbackDevice(plan, device, run, ctx),
    });
  }

  /**
   * Reads every target and compares with the database; every result is recorded. With `reconcile`, the
   * database adopts what a device verifiably runs (a valid manifest whose sha256 matches the file) and
   * forgets releases that are gone; modified files are reported, never adopted.
   */
  async driftCheck(
    targets: readonly DeployTarget[],
    options: DriftOptions & { reconcile?: boolean } = {},
  ): Promise<DriftReport> {
    const pool = new ConnectionPool({ signal: options.signal });
    try {
      const { report, states } = await checkDrift(
        { targets, pool, expectedFor: (deviceId) => this.repo.releases({ deviceId }) },
        options,
      );
      const results: DriftResult[] = report.results.map(({ manifest: _manifest, ...c }) => ({
        ...c,
        adopted: false,
      }));
      if (options.reconcile === true) {
        report.results.forEach((c, i) => {
          const state = states.find((s) => s.target.deviceId === c.deviceId);
          if (state === undefined) return;
          const existing = this.repo.release(c.deviceId, c.modelName);
          const observed = state.models.find((m) => m.modelName === c.modelName);
          const adopted = adoptedRelease(c, state.target, observed, existing, knownRef);
          const row = results[i];
          if (adopted === null || row === undefined) return;
          this.repo.saveRelease(adopted);
          row.adopted = true;
        });
      }
      this.repo.recordDrift(report.checkedAt, results);
      return { checkedAt: report.checkedAt, results, errors: report.errors };
    } finally {
      await pool.closeAll();
    }
  }

  private async runPlan(
    plan: DeployPlan | RollbackPlan,
    targets: readonly DeployTarget[],
    control: RunControl,
    meta: RunMeta,
  ): Promise<DeploymentReport> {
    const signal = control.signal ?? new AbortController().signal;
    // Every device in flight listens on the one signal (connect, commands, upload): not a leak.
    setMaxListeners(Math.max(10, plan.options.concurrency * 4 + 10), signal);
    const byId = new Map(targets.map((t) => [t.deviceId, t]));
    const infos: DeployTargetInfo[] = targets.map((t) => ({
      deviceId: t.deviceId,
      deviceName: t.deviceName,
      where: describeTarget(t.ssh),
      deployRoot: t.deployRoot,
    }));
    // A deployment a dead process left `running` must not hold its devices.
    this.recoverInterrupted(this.interrupt);
    const releaseDevices = claimDevices(
      targets.map((t) => ({
        deviceId: t.deviceId,
        deviceName: t.deviceName,
        deploymentId: plan.deploymentId,
        modelName: meta.modelName,
        startedAt: plan.createdAt,
      })),
    );
    try {
      return await this.runClaimed(plan, targets, control, meta, infos, byId, signal);
    } finally {
      releaseDevices();
    }
  }

  private async runClaimed(
    plan: DeployPlan | RollbackPlan,
    targets: readonly DeployTarget[],
    control: RunControl,
    meta: RunMeta,
    infos: DeployTargetInfo[],
    byId: Map<string, DeployTarget>,
    signal: AbortSignal,
  ): Promise<DeploymentReport> {
    const { runDevice: _runDevice, ...facts } = meta;
    this.repo.createDeployment(
      {
        id: plan.deploymentId,
        ...facts,
        createdAt: plan.createdAt,
        options: plan.options,
        targets: infos,
        runnerPid: process.pid,
        runnerHost: hostname(),
      },
      targets.map((t) => ({
        deviceId: t.deviceId,
        deviceName: t.deviceName,
        bytesTotal: meta.sizeBytes ?? 0,
      })),
      { exclusive: true },
    );
    this.logger?.info(
      { deploymentId: plan.deploymentId, kind: meta.kind, devices: targets.length },
      'rollout started',
    );
    const heartbeat = setInterval(
      () => this.repo.heartbeat(plan.deploymentId, new Date().toISOString()),
      heartbeatEveryMs,
    );
    heartbeat.unref();

    const recorder = new DbRecorder(
      this.repo,
      plan.deploymentId,
      meta.kind,
      meta.modelName,
      new Map(targets.map((t) => [t.deviceId, { deviceName: t.deviceName, deployRoot: t.deployRoot }])),
    );
    const finished = new Set<string>();
    const total = plan.devices.length;
    const emit = (e: DeviceProgressEvent): void => {
      // Counted when the device's final event goes out, so that event already includes it.
      if (e.status !== 'pending' && e.status !== 'running') finished.add(e.deviceId);
      try {
        control.onProgress?.({
          ...e,
          deploymentId: plan.deploymentId,
          devicesDone: finished.size,
          devicesTotal: total,
        });
      } catch {
        // A broken progress listener must not break the rollout.
      }
    };
    const runs = new Map(
      plan.devices.map((d) => [
        d.deviceId,
        new DeviceRun(d.deviceId, d.deviceName, meta.sizeBytes ?? 0, emit, recorder),
      ]),
    );
    const pool = new ConnectionPool({ signal });
    const uploadContent = sharedUploadContent();
    let result: RolloutResult | undefined;
    let failure: AppErrorData | null = null;
    try {
      result = await runRollout({
        devices: plan.devices,
        runs,
        waves: plan.waves,
        concurrency: plan.options.concurrency,
        maxFailPercent: plan.options.maxFailPercent,
        signal,
        runDevice: (device, run) =>
          meta.runDevice(device, run, {
            pool,
            signal,
            recorder,
            lock: this.lockPolicy,
            trackedCurrent: (deviceId) =>
              this.repo.release(deviceId, meta.modelName)?.current?.release ?? null,
            testHooks: control.testHooks,
            uploadContent,
          }),
        onDeviceDone: (outcome) => {
          recorder.finished(outcome);
          const target = byId.get(outcome.deviceId);
          this.logger?.info(
            {
              deploymentId: plan.deploymentId,
              device: target?.deviceName,
              status: outcome.status,
              error: outcome.error?.code,
            },
            'device finished',
          );
        },
      });
      if (result.stopReason !== null) {
        failure = { code: 'DEPLOY_STOPPED', message: `The rollout stopped: ${result.stopReason}.` };
      }
    } catch (err) {
      failure = toAppError(err).toData();
    } finally {
      clearInterval(heartbeat);
      await pool.closeAll();
    }
    // Whatever happened, no device row may stay pending or running once this process is done with it.
    for (const run of runs.values()) {
      if (run.outcome.finishedAt === null)
        recorder.finished(
          run.finish(
            'failed',
            new AppError('INTERNAL', failure?.message ?? 'The rollout ended without finishing this device.'),
          ),
        );
    }
    const status = result?.status ?? 'failed';
    this.repo.finishDeployment(plan.deploymentId, status, failure, new Date().toISOString());
    this.logger?.info({ deploymentId: plan.deploymentId, status }, 'rollout finished');
    return this.repo.report(plan.deploymentId);
  }
}

/** The deployment row's facts that differ between a deploy and a rollback, and how one device runs. */
type RunMeta = Pick<
  NewDeployment,
  'kind' | 'modelName' | 'variantId' | 'version' | 'release' | 'sha256' | 'sizeBytes' | 'requestedBy'
> & {
  runDevice: (device: DevicePlan, run: DeviceRun, ctx: ExecutorContext) => Promise<DeviceOutcome>;
};
