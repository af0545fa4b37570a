import { hostname } from 'node:os';
import type { DeviceRelease, ReleaseRef } from '../../../shared/schemas/deploy';
import type { DeployRepository } from './deploy-repository';
import type { DeviceOutcome, DeviceRecorder, ReleaseChange } from './device-run';

/**
 * Writes a rollout's progress to SQLite as it happens: each step reached, and the device's release the
 * moment its `current` link changes, so a crash leaves the database as close to the devices as possible.
 */
export class DbRecorder implements DeviceRecorder {
  /** The device_releases row before this rollout switched a device, to put back on a switch back. */
  private readonly before = new Map<string, DeviceRelease | undefined>();

  constructor(
    private readonly repo: DeployRepository,
    private readonly deploymentId: string,
    private readonly kind: 'deploy' | 'rollback',
    private readonly modelName: string,
    private readonly devices: ReadonlyMap<string, { deviceName: string; deployRoot: string }>,
    private readonly onWrite: () => void = () => undefined,
  ) {}

  stepStarted(outcome: DeviceOutcome): void {
    this.repo.updateDevice(this.deploymentId, outcome);
    this.onWrite();
  }

  finished(outcome: DeviceOutcome): void {
    this.repo.updateDevice(this.deploymentId, outcome);
    // Deployed without a switch: the release was already current and its file was written again (a
    // repair after drift found it modified). The record is fresh as of now, so older drift no longer applies.
    if (outcome.status === 'deployed' && !this.before.has(outcome.deviceId)) {
      const existing = this.repo.release(outcome.deviceId, this.modelName);
      if (existing !== undefined && existing.current?.release === outcome.releaseAfter) {
        this.repo.saveRelease({
          ...existing,
          source: this.kind,
          deploymentId: this.deploymentId,
          updatedAt: new Date().toISOString(),
        });
      }
    }
    this.onWrite();
  }

  releaseFound(deviceId: string, change: ReleaseChange): void {
    const existing = this.repo.release(deviceId, this.modelName);
    const ref = change.currentRef;
    if (ref !== null && existing?.current?.release === ref.release && existing.current.sha256 === ref.sha256)
      return;
    this.releaseChanged(deviceId, change);
  }

  releaseChanged(deviceId: string, change: ReleaseChange): void {
    const device = this.devices.get(deviceId);
    if (device === undefined) return;
    const existing = this.repo.release(deviceId, this.modelName);
    const updatedAt = new Date().toISOString();
    if (change.kind === 'switched') {
      if (!this.before.has(deviceId)) this.before.set(deviceId, existing);
      this.repo.saveRelease({
        deviceId,
        deviceName: device.deviceName,
        deployRoot: device.deployRoot,
        modelName: this.modelName,
        current:
          change.current === null
            ? null
            : (change.currentRef ?? knownRef(existing, change.current) ?? nameOnly(change.current)),
        previous:
          change.previous === null
            ? null
            : (knownRef(existing, change.previous) ?? nameOnly(change.previous)),
        source: this.kind,
        deploymentId: this.deploymentId,
        updatedAt,
      });
      return;
    }
    // Switched back: the row from before is exact when the device went back to what it said.
    const before = this.before.get(deviceId);
    if (before !== undefined && before.current?.release === (change.current ?? undefined)) {
      this.repo.saveRelease({ ...before, updatedAt });
      return;
    }
    if (before === undefined && change.current === null && this.before.has(deviceId)) {
      this.repo.deleteRelease(deviceId, this.modelName);
      return;
    }
    const refs = [existing, before];
    this.repo.saveRelease({
      deviceId,
      deviceName: device.deviceName,
      deployRoot: device.deployRoot,
      modelName: this.modelName,
      current: change.current === null ? null : (findRef(refs, change.current) ?? nameOnly(change.current)),
      previous:
        change.previous === null ? null : (findRef(refs, change.previous) ?? nameOnly(change.previous)),
      source: this.kind,
      deploymentId: this.deploymentId,
      updatedAt,
    });
  }
}

function nameOnly(release: string): ReleaseRef {
  return { release, sha256: null, variantId: null, version: null };
}

/** What the database knows about a release by name, from a device's current or previous record. */
export function knownRef(row: DeviceRelease | undefined, release: string): ReleaseRef | null {
  if (row?.current?.release === release) return row.current;
  if (row?.previous?.release === release) return row.previous;
  return null;
}

function findRef(rows: readonly (DeviceRelease | undefined)[], release: string): ReleaseRef | null {
  for (const row of rows) {
    const found = knownRef(row, release);
    if (found !== null) return found;
  }
  return null;
}

export type InterruptOptions = {
  /** A running deployment whose heartbeat is older than this is dead wherever it ran. Default 5 min. */
  staleAfterMs?: number;
  now?: Date;
  host?: string;
  isAlive?: (pid: number) => boolean;
};

export const heartbeatEveryMs = 30_000;
const defaultStaleAfterMs = 5 * 60_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Call when the services open: deployments left `running` by a process that died become `interrupted`,
 * with their pending and running devices. A deployment another live process (the GUI while the CLI starts,
 * or the reverse) is running is left alone: it is marked only when its process is gone (same machine) or
 * its heartbeat is stale. Returns the ids marked.
 */
export function markInterruptedDeployments(repo: DeployRepository, options: InterruptOptions = {}): string[] {
  const now = options.now ?? new Date();
  const host = options.host ?? hostname();
  const isAlive = options.isAlive ?? pidAlive;
  const staleBefore = now.getTime() - (options.staleAfterMs ?? defaultStaleAfterMs);
  const marked: string[] = [];
  for (const d of repo.running()) {
    const processGone = d.runnerHost === host && d.runnerPid !== null && !isAlive(d.runnerPid);
    // A live runner heartbeats on a timer; a stale heartbeat also catches a reused pid after a reboot.
    const heartbeat = d.heartbeatAt === null ? 0 : Date.parse(d.heartbeatAt);
    if (!processGone && heartbeat >= staleBefore) continue;
    repo.markInterrupted(
      d.id,
      {
        code: 'DEPLOY_INTERRUPTED',
        message:
          'EdgeFleet stopped while this deployment was running (crash, kill or power loss). Devices that had not switched stay on their previous release; run a drift check to see what each device runs now, then deploy again.',
      },
      now.toISOString(),
    );
    marked.push(d.id);
  }
  return marked;
}
