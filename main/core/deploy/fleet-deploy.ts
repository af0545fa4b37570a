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
import type { FleetService } from '../fleet/fleet-service';
import type { ModelService } from '../models/model-service';
import type { DeployService, RunControl } from './deploy-service';
import { releaseName, versionFromImportedAt } from './layout';
import { parseDeployOptions, planForDisplay, type DeployPlan } from './plan';
import { planRollback, type RollbackRequest } from './rollback';
import type { DeployArtifact, DeployTarget } from './types';

/**
 * The deploy core speaks artifacts and targets; people speak model names and device names, `tag:T` and
 * `all`. This maps one onto the other through the model library and the fleet inventory, for the UI
 * handlers and the CLI alike, and computes a deploy's preview from the database alone.
 */

export type FleetDeployDeps = { deploy: DeployService; fleet: FleetService; models: ModelService };

export type FleetDeployOptions = {
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

export type RollbackInput = { model?: string; toRelease?: string };

export class FleetDeploy {
  constructor(
    private readonly deps: FleetDeployDeps,
    private readonly options: FleetDeployOptions = {},
  ) {}

  /**
   * A library model as a deploy artifact. Its releases live under the name of the model its lineage starts
   * from: every variant of "detector" goes to `<deployRoot>/detector/`, so deploying a new variant switches
   * the same `current` link.
   */
  artifact(ref: string): { model: Model; artifact: DeployArtifact } {
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
  targets(devices: readonly Device[]): DeployTarget[] {
    const timeout =
      this.options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: this.options.connectTimeoutMs };
    return devices.map((device) => ({
      deviceId: device.id,
      deviceName: device.name,
      ssh: this.deps.fleet.sshTarget(device, timeout),
      deployRoot: device.deployRoot,
      restartCommand: device.restartCmd,
      healthCommand: device.healthCmd,
    }));
  }

  prepare(modelRef: string, targetRefs: readonly string[], options: DeployOptionsInput = {}): PreparedDeploy {
    const { model, artifact } = this.artifact(modelRef);
    const devices = this.deps.fleet.resolve(targetRefs);
    const targets = this.targets(devices);
    const plan = this.deps.deploy.plan(artifact, targets, options);
    return { model, artifact, devices, targets, plan };
  }

  /** The exact plan (steps and quoted remote commands per device), without credentials. */
  planForDisplay(modelRef: string, targetRefs: readonly string[], options: DeployOptionsInput = {}) {
    return planForDisplay(this.prepare(modelRef, targetRefs, options).plan);
  }

  run(prepared: PreparedDeploy, options: DeployOptionsInput = {}, control: RunControl = {}) {
    return this.deps.deploy.deploy(prepared.artifact, prepared.targets, options, control);
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
    const { model, artifact } = this.artifact(modelRef);
    const release = releaseName(artifact.version, artifact.sha256);
    const needed = 2 * artifact.sizeBytes + options.diskMarginBytes;
    const devices = this.deps.fleet.resolve(targetRefs);
    return {
      modelId: model.id,
      modelName: artifact.modelName,
      variantName: model.name,
      sizeBytes: artifact.sizeBytes,
      devices: devices.map((device) => {
        const record = this.deps.deploy.repo.release(device.id, artifact.modelName);
        const current = record?.current ?? null;
        const same = current?.release === release && current.sha256 === artifact.sha256;
        // A drift check after the last deploy that found the file changed on the device: not "nothing to do".
        const modified =
          same && record !== undefined
            ? this.deps.deploy.repo
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
   * Rollback targets and the model to roll back. Without a model, the one model these devices run (as
   * recorded); a library model (or variant) name stands for the directory its releases live in.
   */
  prepareRollback(
    targetRefs: readonly string[],
    input: RollbackInput,
    options: DeployOptionsInput = {},
  ): { devices: Device[]; targets: DeployTarget[]; request: RollbackRequest } {
    const devices = this.deps.fleet.resolve(targetRefs);
    const recorded = devices.flatMap((d) => this.deps.deploy.status({ deviceId: d.id }));
    const modelName =
      input.model === undefined ? this.onlyModel(recorded, devices) : this.modelDir(input.model, recorded);
    const targets = this.targets(devices);
    const request = { modelName, toRelease: input.toRelease ?? null };
    // Planned now only to check the request (release name, deploy roots, options) before anything runs.
    planRollback(targets, request, options);
    return { devices, targets, request };
  }

  rollback(
    prepared: ReturnType<FleetDeploy['prepareRollback']>,
    options: DeployOptionsInput = {},
    control: RunControl = {},
  ): Promise<DeploymentReport> {
    return this.deps.deploy.rollback(prepared.targets, prepared.request, options, control);
  }

  drift(
    targetRefs: readonly string[],
    options: { reconcile?: boolean; signal?: AbortSignal } = {},
  ): Promise<DriftReport> {
    const targets = this.targets(this.deps.fleet.resolve(targetRefs));
    return this.deps.deploy.drift(targets, options);
  }

  /** What runs where; a device given by name or id (a removed device is still found by its recorded name). */
  status(device?: string): DeviceRelease[] {
    if (device === undefined) return this.deps.deploy.status();
    return this.deps.deploy.status({ deviceId: this.deviceId(device) });
  }

  history(options: { limit?: number; device?: string } = {}): Deployment[] {
    return this.deps.deploy.history({
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.device === undefined ? {} : { deviceId: this.deviceId(options.device) }),
    });
  }

  private deviceId(ref: string): string {
    try {
      return this.deps.fleet.get(ref).id;
    } catch (err) {
      const recorded = this.deps.deploy
        .status()
        .find((r) => r.deviceId === ref || r.deviceName.toLowerCase() === ref.trim().toLowerCase());
      if (recorded !== undefined) return recorded.deviceId;
      throw err;
    }
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

  private modelDir(ref: string, recorded: readonly DeviceRelease[]): string {
    if (recorded.some((r) => r.modelName === ref)) return ref;
    const model = this.findModel(ref);
    return model === null ? ref : this.lineageRoot(model).name;
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
