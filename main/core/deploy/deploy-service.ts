import type { Database } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import type {
  Deployment,
  DeploymentReport,
  DeployOptionsInput,
  DeployPreview,
  DeviceRelease,
  DriftReport,
} from '../../../shared/schemas/deploy';
import type { Device } from '../../../shared/schemas/fleet';
import type { Model } from '../../../shared/schemas/models';
import type { FleetService } from '../fleet/service';
import type { ModelService } from '../models/model-service';
import { AnsibleDeploys } from './ansible/ansible-deploys';
import { DeployRunner, type DeployRunnerOptions, type RunControl } from './deploy-runner';
import { releaseName, versionFromImportedAt } from './layout';
import { diskNeededBytes, parseDeployOptions, planDeploy, planForDisplay, type DeployPlan } from './plan';
import { planRollback, type RollbackPlan } from './rollback';
import type { DeployArtifact, DeployTarget } from './types';

/**
 * The one front door of deploy, for the UI handlers and the CLI alike: people speak model names and ids,
 * device names and ids, `tag:T` and `all`; this turns them into artifacts and targets (the section "Names
 * and ids" below is the only place that does), plans, and hands the plan to the DeployRunner, which runs it
 * over SSH and records it. A deploy's preview is computed from the database alone.
 */

export type DeployServiceDeps = {
  db: Database;
  fleet: FleetService;
  models: ModelService;
} & DeployRunnerOptions;

/** How the devices are reached for this one call. */
export type ConnectOptions = {
  /** Per connection: TCP, handshake and login. Default: the fleet service's (10 s). */
  connectTimeoutMs?: number;
};

/** A deploy resolved and planned, before anything runs: a typo or bad option fails here, not in a job. */
export type PreparedDeploy = {
  model: Model;
  artifact: DeployArtifact;
  devices: Device[];
  targets: DeployTarget[];
  plan: DeployPlan;
};

export type PreparedRollback = { devices: Device[]; targets: DeployTarget[]; plan: RollbackPlan };

export type RollbackInput = { model?: string; toRelease?: string };

/** What the runner's callers may steer; ids and times come from the prepared plan. */
type RunOptions = Omit<RunControl, 'context'>;

export class DeployService {
  private constructor(
    private readonly runner: DeployRunner,
    private readonly deps: Pick<DeployServiceDeps, 'fleet' | 'models'>,
  ) {}

  /** Opening marks deployments a dead process left `running` as `interrupted`. */
  static open({ db, fleet, models, ...options }: DeployServiceDeps): DeployService {
    return new DeployService(DeployRunner.open(db, options), { fleet, models });
  }

  // ---- Names and ids ------------------------------------------------------------------------------------

  /** Device names or ids, `tag:T`, `all` → devices of the inventory; NOT_FOUND names the unknown one. */
  resolveDevices(refs: readonly string[]): Device[] {
    return this.deps.fleet.resolve(refs);
  }

  /**
   * A library model (name or id) as a deploy artifact. Its releases live under the name of the model its
   * lineage starts from: every variant of "detector" goes to `<deployRoot>/detector/`, so deploying a new
   * variant switches the same `current` link.
   */
  private resolveModel(ref: string): { model: Model; artifact: DeployArtifact } {
    const model = this.deps.models.get(ref);
    const parent = model.parentId === null ? null : this.findModel(model.parentId);
    return {
      model,
      artifact: {
        modelName: this.lineageRoot(model).name,
        variantId: model.id,
        version: versionFromImportedAt(model.importedAt),
        sha256: model.sha256,
        sizeBytes: model.sizeBytes,
        localPath: this.deps.models.pathOf(model),
        method: model.method,
        recipe: model.recipe ?? null,
        parentSha256: parent?.sha256 ?? null,
      },
    };
  }

  /**
   * Devices as deploy targets: endpoint, credentials, pinned host key (null for an untrusted device: the
   * core's connect then refuses it with HOST_KEY_UNKNOWN during key exchange, before any byte is sent).
   */
  private resolveTargets(
    refs: readonly string[],
    connect: ConnectOptions,
  ): { devices: Device[]; targets: DeployTarget[] } {
    const devices = this.resolveDevices(refs);
    const targets = devices.map((device) => ({
      deviceId: device.id,
      deviceName: device.name,
      ssh: this.deps.fleet.sshTarget(device, connect),
      deployRoot: device.deployRoot,
      restartCommand: device.restartCmd,
      healthCommand: device.healthCmd,
    }));
    return { devices, targets };
  }

  /** A device by name or id; a removed device is still found by what the deploy records say of it. */
  private resolveDeviceId(ref: string): string {
    try {
      return this.deps.fleet.get(ref).id;
    } catch (err) {
      const recorded = this.runner.repo
        .releases()
        .find((r) => r.deviceId === ref || r.deviceName.toLowerCase() === ref.trim().toLowerCase());
      if (recorded !== undefined) return recorded.deviceId;
      throw err;
    }
  }

  /** The directory a rollback works in: a recorded model directory, or a library model's lineage root. */
  private resolveModelDir(ref: string, recorded: readonly DeviceRelease[]): string {
    if (recorded.some((r) => r.modelName === ref)) return ref;
    const model = this.findModel(ref);
    return model === null ? ref : this.lineageRoot(model).name;
  }

  // ---- Deploy -------------------------------------------------------------------------------------------

  prepare(
    modelRef: string,
    targetRefs: readonly string[],
    options: DeployOptionsInput = {},
    connect: ConnectOptions = {},
  ): PreparedDeploy {
    const { model, artifact } = this.resolveModel(modelRef);
    const { devices, targets } = this.resolveTargets(targetRefs, connect);
    const plan = planDeploy(artifact, targets, options);
    return { model, artifact, devices, targets, plan };
  }

  /** The exact plan (steps and quoted remote commands per device), without credentials. */
  planForDisplay(modelRef: string, targetRefs: readonly string[], options: DeployOptionsInput = {}) {
    return planForDisplay(this.prepare(modelRef, targetRefs, options).plan);
  }

  /** `--engine ansible` (ansible/): the same prepared plan run by Ansible, or written as a project for it. */
  get ansible(): AnsibleDeploys {
    return new AnsibleDeploys(this.runner, this.deps.fleet);
  }

  /** Runs the prepared plan: the deployment id and release shown before are the ones recorded. */
  run(prepared: PreparedDeploy, control: RunOptions = {}): Promise<DeploymentReport> {
    return this.runner.runDeployPlan(prepared.plan, prepared.targets, control);
  }

  /**
   * What a deploy would do, from the database only (no SSH): what each device runs as recorded, whether
   * it already runs this file, free disk at the deploy root from its last probe, and what preflight will
   * refuse. The device itself may disagree: a drift check tells.
   */
  preview(
    modelRef: string,
    targetRefs: readonly string[],
    optionsInput: DeployOptionsInput = {},
  ): DeployPreview {
    const options = parseDeployOptions(optionsInput);
    const { model, artifact } = this.resolveModel(modelRef);
    const release = releaseName(artifact.version, artifact.sha256);
    const needed = diskNeededBytes(artifact.sizeBytes, options);
    const devices = this.resolveDevices(targetRefs);
    return {
      modelId: model.id,
      modelName: artifact.modelName,
      variantName: model.name,
      sizeBytes: artifact.sizeBytes,
      devices: devices.map((device) => {
        const record = this.runner.repo.release(device.id, artifact.modelName);
        const current = record?.current ?? null;
        const same = current?.release === release && current.sha256 === artifact.sha256;
        // A drift check after the last deploy that found the file changed on the device: not "nothing to do".
        const modified =
          same && record !== undefined
            ? this.runner.repo
                .lastDrift(device.id)
                .find(
                  (d) =>
                    d.modelName === artifact.modelName &&
                    d.state === 'modified' &&
                    d.checkedAt >= record.updatedAt,
                )
            : undefined;
        const repair = modified !== undefined;
        const unchanged = same && !repair;
        const facts = device.probe?.facts;
        const probedHere = facts !== undefined && facts.disk.deployRoot === device.deployRoot;
        const freeDiskBytes = probedHere ? facts.disk.availableBytes : null;
        const notes: string[] = [];
        const trusted = device.hostKey !== null;
        if (!trusted) {
          notes.push(
            `Host key not trusted: the deploy refuses ${device.name} (HOST_KEY_UNKNOWN). Trust it first (edgefleet devices trust ${device.name}).`,
          );
        }
        const jumpNote = this.untrustedJump(device);
        if (jumpNote !== null) notes.push(jumpNote);
        for (const need of this.deps.fleet.secretNeeds([device])) {
          notes.push(
            need.kind === 'password'
              ? `${need.device} logs in with a password: enter it before deploying.`
              : `The key ${need.keyPath} needs its passphrase: enter it before deploying.`,
          );
        }
        if (unchanged) {
          notes.push(`Already runs ${release}: nothing will be done on it.`);
        } else if (modified !== undefined) {
          notes.push(
            `Runs ${release}, but its file was modified on the device (drift check at ${modified.checkedAt}): the deploy will repair it.`,
          );
        } else if (facts === undefined) {
          notes.push('Never probed: free disk is checked by the deploy’s preflight.');
        } else if (!probedHere) {
          notes.push(
            `The deploy root changed since the last probe: free disk is checked by the deploy’s preflight (or probe it again).`,
          );
        } else if (freeDiskBytes !== null && freeDiskBytes < needed) {
          notes.push(
            `Had ${freeDiskBytes} B free at the last probe (${device.probe?.probedAt ?? '?'}); the deploy needs ${needed} B (2 × size + margin): preflight will refuse unless space was freed.`,
          );
        }
        if (device.status !== null && device.status.state !== 'online') {
          notes.push(`Was ${device.status.state} at the last status check (${device.status.checkedAt}).`);
        }
        if (!unchanged && device.healthCmd === null) {
          notes.push('No health check set: a broken release cannot be detected and switched back.');
        }
        return {
          deviceId: device.id,
          deviceName: device.name,
          host: `${device.user}@${device.host}:${device.port}${device.jump === null ? '' : ` via ${device.jump}`}`,
          deployRoot: device.deployRoot,
          trusted,
          current,
          unchanged,
          repair,
          freeDiskBytes,
          notes,
        };
      }),
    };
  }

  /**
   * Rollback targets and the model to roll back, planned. Without a model, the one model these devices run
   * (as recorded); a library model (or variant) name stands for the directory its releases live in.
   */
  prepareRollback(
    targetRefs: readonly string[],
    input: RollbackInput,
    options: DeployOptionsInput = {},
    connect: ConnectOptions = {},
  ): PreparedRollback {
    const { devices, targets } = this.resolveTargets(targetRefs, connect);
    const recorded = devices.flatMap((d) => this.runner.repo.releases({ deviceId: d.id }));
    const modelName =
      input.model === undefined
        ? this.onlyModel(recorded, devices)
        : this.resolveModelDir(input.model, recorded);
    const plan = planRollback(targets, { modelName, toRelease: input.toRelease ?? null }, options);
    return { devices, targets, plan };
  }

  rollback(prepared: PreparedRollback, control: RunOptions = {}): Promise<DeploymentReport> {
    return this.runner.runRollbackPlan(prepared.plan, prepared.targets, control);
  }

  /**
   * DEVICE_BUSY when another running deployment (this process or another on the same database) still has
   * one of these devices; lets a caller refuse before starting a job. The rollout checks again atomically.
   */
  assertDevicesFree(prepared: { targets: readonly DeployTarget[] }): void {
    this.runner.assertDevicesFree(prepared.targets);
  }

  // ---- Records and checks -------------------------------------------------------------------------------

  drift(
    targetRefs: readonly string[],
    options: { reconcile?: boolean; signal?: AbortSignal } & ConnectOptions = {},
  ): Promise<DriftReport> {
    const { connectTimeoutMs, ...check } = options;
    const { targets } = this.resolveTargets(targetRefs, { connectTimeoutMs });
    return this.runner.driftCheck(targets, check);
  }

  /** What runs where, as recorded: per device and model, the current and previous release. */
  status(device?: string): DeviceRelease[] {
    return this.runner.repo.releases(device === undefined ? {} : { deviceId: this.resolveDeviceId(device) });
  }

  history(options: { limit?: number; device?: string } = {}): Deployment[] {
    return this.runner.repo.deployments({
      limit: options.limit,
      ...(options.device === undefined ? {} : { deviceId: this.resolveDeviceId(options.device) }),
    });
  }

  report(deploymentId: string): DeploymentReport {
    return this.runner.repo.report(deploymentId);
  }

  private findModel(id: string): Model | null {
    try {
      return this.deps.models.get(id);
    } catch {
      return null;
    }
  }

  private lineageRoot(model: Model): Model {
    let root = model;
    const seen = new Set<string>([model.id]);
    while (root.parentId !== null) {
      const parent = this.findModel(root.parentId);
      if (parent === null || seen.has(parent.id)) break;
      seen.add(parent.id);
      root = parent;
    }
    return root;
  }

  private onlyModel(recorded: readonly DeviceRelease[], devices: readonly Device[]): string {
    const names = [...new Set(recorded.map((r) => r.modelName))].sort();
    const [only] = names;
    if (names.length === 1 && only !== undefined) return only;
    if (names.length === 0) {
      throw new AppError(
        'NOT_FOUND',
        `EdgeFleet has no deployment recorded on ${devices.map((d) => d.name).join(', ')}. Name the model (--model), or run a drift check with reconcile to record what the devices run.`,
      );
    }
    throw new AppError(
      'BAD_REQUEST',
      `These devices run several models (${names.join(', ')}). Choose the one to roll back with --model.`,
      { models: names },
    );
  }

  private untrustedJump(device: Device): string | null {
    if (device.jump === null) return null;
    let jumpDevice: Device | null = null;
    try {
      jumpDevice = this.deps.fleet.get(device.jump);
    } catch {
      jumpDevice = null;
    }
    if (jumpDevice !== null) {
      return jumpDevice.hostKey === null
        ? `Its jump host ${jumpDevice.name} is not trusted: trust it first (edgefleet devices trust ${jumpDevice.name}).`
        : null;
    }
    return device.jumpHostKey === null
      ? `The host key of its jump host ${device.jump} is not trusted: trust ${device.name} first (edgefleet devices trust ${device.name}).`
      : null;
  }
}
