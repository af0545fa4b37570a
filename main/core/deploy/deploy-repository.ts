import type { Database } from 'better-sqlite3';
import { AppError, appErrorSchema, type AppErrorData } from '../../../shared/errors';
import {
  deployLogLineSchema,
  deployTargetInfoSchema,
  deviceFactsSchema,
  type Deployment,
  type DeploymentKind,
  type DeploymentReport,
  type DeploymentStatus,
  type DeployTargetInfo,
  type DeviceDeployStatus,
  type DeviceRelease,
  type DeviceResult,
  type DeployStep,
  type DriftResult,
  type ReleaseRef,
} from '../../../shared/schemas/deploy';
import type { DeviceOutcome } from './device-run';

/** SQL for deploy tracking (migration 0040). No SSH, no validation of requests: the service does that. */

type DeploymentRow = {
  id: string;
  kind: DeploymentKind;
  model_name: string;
  variant_id: string | null;
  version: string | null;
  release: string | null;
  sha256: string | null;
  size_bytes: number | null;
  requested_by: string;
  created_at: string;
  finished_at: string | null;
  status: DeploymentStatus;
  options_json: string;
  targets_json: string;
  error_json: string | null;
  runner_pid: number | null;
  runner_host: string | null;
  heartbeat_at: string | null;
};

type DeviceRow = {
  deployment_id: string;
  device_id: string;
  device_name: string;
  position: number;
  status: DeviceDeployStatus;
  step: DeployStep | null;
  bytes_sent: number;
  bytes_total: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  step_ms_json: string;
  log_json: string;
  error_code: string | null;
  error_message: string | null;
  release_before: string | null;
  release_after: string | null;
  facts_json: string | null;
};

type ReleaseRow = {
  device_id: string;
  model_name: string;
  device_name: string;
  deploy_root: string;
  current_release: string | null;
  current_sha256: string | null;
  current_variant_id: string | null;
  current_version: string | null;
  previous_release: string | null;
  previous_sha256: string | null;
  previous_variant_id: string | null;
  previous_version: string | null;
  source: DeviceRelease['source'];
  deployment_id: string | null;
  updated_at: string;
};

/** A device another deployment is working on. */
export type DeviceHolder = {
  deviceId: string;
  deviceName: string;
  deploymentId: string;
  modelName: string;
  startedAt: string;
};

export function deviceBusy(holders: readonly DeviceHolder[]): AppError {
  const first = holders[0];
  const names = [...new Set(holders.map((h) => h.deviceName))].join(', ');
  return new AppError(
    'DEVICE_BUSY',
    `${names} ${holders.length === 1 ? 'is' : 'are'} busy: deployment ${first?.deploymentId ?? '?'} of model ${first?.modelName ?? '?'}, started at ${first?.startedAt ?? '?'}, is still running there. Nothing was started. Wait for it to finish (edgefleet history), or cancel it, then retry.`,
    { holders },
  );
}

export type NewDeployment = {
  id: string;
  kind: DeploymentKind;
  modelName: string;
  variantId: string | null;
  version: string | null;
  release: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  requestedBy: string;
  createdAt: string;
  options: unknown;
  targets: DeployTargetInfo[];
  runnerPid: number;
  runnerHost: string;
};

function deploymentFromRow(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    kind: row.kind,
    modelName: row.model_name,
    variantId: row.variant_id,
    version: row.version,
    release: row.release,
    sha256: row.sha256,
    sizeBytes: row.size_bytes,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    status: row.status,
    options: JSON.parse(row.options_json) as unknown,
    targets: deployTargetInfoSchema.array().parse(JSON.parse(row.targets_json)),
    error: row.error_json === null ? null : appErrorSchema.parse(JSON.parse(row.error_json)),
  };
}

function deviceFromRow(row: DeviceRow): DeviceResult {
  const error: AppErrorData | null =
    row.error_code === null
      ? null
      : appErrorSchema.parse({ code: row.error_code, message: row.error_message ?? '' });
  return {
    deploymentId: row.deployment_id,
    deviceId: row.device_id,
    deviceName: row.device_name,
    position: row.position,
    status: row.status,
    step: row.step,
    bytesSent: row.bytes_sent,
    bytesTotal: row.bytes_total,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    stepDurationsMs: JSON.parse(row.step_ms_json) as Record<string, number>,
    log: deployLogLineSchema.array().parse(JSON.parse(row.log_json)),
    error,
    releaseBefore: row.release_before,
    releaseAfter: row.release_after,
    facts: row.facts_json === null ? null : deviceFactsSchema.parse(JSON.parse(row.facts_json)),
  };
}

function ref(
  release: string | null,
  sha256: string | null,
  variantId: string | null,
  version: string | null,
): ReleaseRef | null {
  return release === null ? null : { release, sha256, variantId, version };
}

function releaseFromRow(row: ReleaseRow): DeviceRelease {
  return {
    deviceId: row.device_id,
    deviceName: row.device_name,
    deployRoot: row.deploy_root,
    modelName: row.model_name,
    current: ref(row.current_release, row.current_sha256, row.current_variant_id, row.current_version),
    previous: ref(row.previous_release, row.previous_sha256, row.previous_variant_id, row.previous_version),
    source: row.source,
    deploymentId: row.deployment_id,
    updatedAt: row.updated_at,
  };
}

export class DeployRepository {
  constructor(private readonly db: Database) {}

  /**
   * Running deployments that still have one of these devices pending or running: the holders a new
   * deployment to them must wait for.
   */
  busyDevices(deviceIds: readonly string[]): DeviceHolder[] {
    if (deviceIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT x.device_id, x.device_name, d.id, d.model_name, d.created_at FROM deployment_devices x
         JOIN deployments d ON d.id = x.deployment_id
         WHERE d.status = 'running' AND x.status IN ('pending', 'running')
           AND x.device_id IN (SELECT value FROM json_each(?))
         ORDER BY d.created_at`,
      )
      .all(JSON.stringify(deviceIds)) as {
      device_id: string;
      device_name: string;
      id: string;
      model_name: string;
      created_at: string;
    }[];
    return rows.map((r) => ({
      deviceId: r.device_id,
      deviceName: r.device_name,
      deploymentId: r.id,
      modelName: r.model_name,
      startedAt: r.created_at,
    }));
  }

  /**
   * Inserts the deployment and its devices. With `exclusive` (every rollout), when another running
   * deployment still holds one of the devices, throws DEVICE_BUSY naming it instead. Check and insert are
   * one IMMEDIATE transaction, so two processes on one database cannot both pass the check.
   */
  createDeployment(
    d: NewDeployment,
    devices: { deviceId: string; deviceName: string; bytesTotal: number }[],
    options: { exclusive?: boolean } = {},
  ): void {
    this.db
      .transaction(() => {
        if (options.exclusive === true) {
          const holders = this.busyDevices(devices.map((dev) => dev.deviceId));
          if (holders.length > 0) throw deviceBusy(holders);
        }
        this.db
          .prepare(
            `INSERT INTO deployments (id, kind, model_name, variant_id, version, release, sha256, size_bytes,
             requested_by, created_at, status, options_json, targets_json, runner_pid, runner_host, heartbeat_at)
           VALUES (@id, @kind, @modelName, @variantId, @version, @release, @sha256, @sizeBytes,
             @requestedBy, @createdAt, 'running', @optionsJson, @targetsJson, @runnerPid, @runnerHost, @createdAt)`,
          )
          .run({
            id: d.id,
            kind: d.kind,
            modelName: d.modelName,
            variantId: d.variantId,
            version: d.version,
            release: d.release,
            sha256: d.sha256,
            sizeBytes: d.sizeBytes,
            requestedBy: d.requestedBy,
            createdAt: d.createdAt,
            optionsJson: JSON.stringify(d.options),
            targetsJson: JSON.stringify(d.targets),
            runnerPid: d.runnerPid,
            runnerHost: d.runnerHost,
          });
        const insert = this.db.prepare(
          `INSERT INTO deployment_devices (deployment_id, device_id, device_name, position, status, bytes_total)
         VALUES (?, ?, ?, ?, 'pending', ?)`,
        );
        devices.forEach((dev, i) => insert.run(d.id, dev.deviceId, dev.deviceName, i, dev.bytesTotal));
      })
      .immediate();
  }

  updateDevice(deploymentId: string, o: DeviceOutcome): void {
    this.db
      .prepare(
        `UPDATE deployment_devices SET status = @status, step = @step, bytes_sent = @bytesSent,
           bytes_total = @bytesTotal, started_at = @startedAt, finished_at = @finishedAt, duration_ms = @durationMs,
           step_ms_json = @stepMs, log_json = @log, error_code = @errorCode, error_message = @errorMessage,
           release_before = @releaseBefore, release_after = @releaseAfter, facts_json = @facts
         WHERE deployment_id = @deploymentId AND device_id = @deviceId`,
      )
      .run({
        deploymentId,
        deviceId: o.deviceId,
        status: o.status,
        step: o.step,
        bytesSent: o.bytesSent,
        bytesTotal: o.bytesTotal,
        startedAt: o.startedAt,
        finishedAt: o.finishedAt,
        durationMs: o.durationMs,
        stepMs: JSON.stringify(o.stepDurationsMs),
        log: JSON.stringify(o.log),
        errorCode: o.error?.code ?? null,
        errorMessage: o.error?.message ?? null,
        releaseBefore: o.releaseBefore,
        releaseAfter: o.releaseAfter,
        facts: o.facts === null ? null : JSON.stringify(o.facts),
      });
  }

  heartbeat(deploymentId: string, at: string): void {
    this.db
      .prepare(`UPDATE deployments SET heartbeat_at = ? WHERE id = ? AND status = 'running'`)
      .run(at, deploymentId);
  }

  finishDeployment(id: string, status: DeploymentStatus, error: AppErrorData | null, at: string): void {
    this.db
      .prepare(
        `UPDATE deployments SET status = ?, finished_at = ?, error_json = ?, heartbeat_at = ? WHERE id = ? AND status = 'running'`,
      )
      .run(status, at, error === null ? null : JSON.stringify(error), at, id);
  }

  deployment(id: string): Deployment | undefined {
    const row = this.db.prepare('SELECT * FROM deployments WHERE id = ?').get(id) as
      DeploymentRow | undefined;
    return row && deploymentFromRow(row);
  }

  /** Newest first; with a device id, only deployments that included it. */
  deployments(options: { limit?: number; deviceId?: string } = {}): Deployment[] {
    const limit = options.limit ?? 100;
    const rows =
      options.deviceId === undefined
        ? (this.db
            .prepare('SELECT * FROM deployments ORDER BY created_at DESC, rowid DESC LIMIT ?')
            .all(limit) as DeploymentRow[])
        : (this.db
            .prepare(
              `SELECT d.* FROM deployments d JOIN deployment_devices x ON x.deployment_id = d.id
               WHERE x.device_id = ? ORDER BY d.created_at DESC, d.rowid DESC LIMIT ?`,
            )
            .all(options.deviceId, limit) as DeploymentRow[]);
    return rows.map(deploymentFromRow);
  }

  /** A deployment with its per-device results; NOT_FOUND for an unknown id. */
  report(deploymentId: string): DeploymentReport {
    const deployment = this.deployment(deploymentId);
    if (deployment === undefined) {
      throw new AppError('NOT_FOUND', `No deployment ${deploymentId}. List them with edgefleet history.`);
    }
    return { deployment, devices: this.deviceResults(deploymentId) };
  }

  deviceResults(deploymentId: string): DeviceResult[] {
    const rows = this.db
      .prepare('SELECT * FROM deployment_devices WHERE deployment_id = ? ORDER BY position')
      .all(deploymentId) as DeviceRow[];
    return rows.map(deviceFromRow);
  }

  running(): {
    id: string;
    runnerPid: number | null;
    runnerHost: string | null;
    heartbeatAt: string | null;
  }[] {
    return (
      this.db
        .prepare(`SELECT id, runner_pid, runner_host, heartbeat_at FROM deployments WHERE status = 'running'`)
        .all() as Pick<DeploymentRow, 'id' | 'runner_pid' | 'runner_host' | 'heartbeat_at'>[]
    ).map((r) => ({
      id: r.id,
      runnerPid: r.runner_pid,
      runnerHost: r.runner_host,
      heartbeatAt: r.heartbeat_at,
    }));
  }

  /** The deployment and its unfinished devices become `interrupted`, in one transaction. */
  markInterrupted(id: string, error: AppErrorData, at: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE deployments SET status = 'interrupted', finished_at = ?, error_json = ? WHERE id = ? AND status = 'running'`,
        )
        .run(at, JSON.stringify(error), id);
      this.db
        .prepare(
          `UPDATE deployment_devices SET status = 'interrupted', finished_at = ?, error_code = ?, error_message = ?
           WHERE deployment_id = ? AND status IN ('pending', 'running')`,
        )
        .run(at, error.code, error.message, id);
    })();
  }

  release(deviceId: string, modelName: string): DeviceRelease | undefined {
    const row = this.db
      .prepare('SELECT * FROM device_releases WHERE device_id = ? AND model_name = ?')
      .get(deviceId, modelName) as ReleaseRow | undefined;
    return row && releaseFromRow(row);
  }

  releases(filter: { deviceId?: string; modelName?: string } = {}): DeviceRelease[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.deviceId !== undefined) {
      where.push('device_id = ?');
      args.push(filter.deviceId);
    }
    if (filter.modelName !== undefined) {
      where.push('model_name = ?');
      args.push(filter.modelName);
    }
    const sql = `SELECT * FROM device_releases ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY device_name, model_name`;
    return (this.db.prepare(sql).all(...args) as ReleaseRow[]).map(releaseFromRow);
  }

  saveRelease(r: DeviceRelease): void {
    this.db
      .prepare(
        `INSERT INTO device_releases (device_id, model_name, device_name, deploy_root,
           current_release, current_sha256, current_variant_id, current_version,
           previous_release, previous_sha256, previous_variant_id, previous_version,
           source, deployment_id, updated_at)
         VALUES (@deviceId, @modelName, @deviceName, @deployRoot, @cr, @cs, @cv, @cver, @pr, @ps, @pv, @pver,
           @source, @deploymentId, @updatedAt)
         ON CONFLICT (device_id, model_name) DO UPDATE SET
           device_name = excluded.device_name, deploy_root = excluded.deploy_root,
           current_release = excluded.current_release, current_sha256 = excluded.current_sha256,
           current_variant_id = excluded.current_variant_id, current_version = excluded.current_version,
           previous_release = excluded.previous_release, previous_sha256 = excluded.previous_sha256,
           previous_variant_id = excluded.previous_variant_id, previous_version = excluded.previous_version,
           source = excluded.source, deployment_id = excluded.deployment_id, updated_at = excluded.updated_at`,
      )
      .run({
        deviceId: r.deviceId,
        modelName: r.modelName,
        deviceName: r.deviceName,
        deployRoot: r.deployRoot,
        cr: r.current?.release ?? null,
        cs: r.current?.sha256 ?? null,
        cv: r.current?.variantId ?? null,
        cver: r.current?.version ?? null,
        pr: r.previous?.release ?? null,
        ps: r.previous?.sha256 ?? null,
        pv: r.previous?.variantId ?? null,
        pver: r.previous?.version ?? null,
        source: r.source,
        deploymentId: r.deploymentId,
        updatedAt: r.updatedAt,
      });
  }

  deleteRelease(deviceId: string, modelName: string): void {
    this.db
      .prepare('DELETE FROM device_releases WHERE device_id = ? AND model_name = ?')
      .run(deviceId, modelName);
  }

  recordDrift(checkedAt: string, results: readonly DriftResult[]): void {
    const insert = this.db.prepare(
      `INSERT INTO drift_checks (checked_at, device_id, device_name, model_name, state, expected_release,
         expected_sha256, observed_release, observed_sha256, manifest_json, message, adopted)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const r of results) {
        insert.run(
          checkedAt,
          r.deviceId,
          r.deviceName,
          r.modelName,
          r.state,
          r.expected?.release ?? null,
          r.expected?.sha256 ?? null,
          r.observed.release,
          r.observed.fileSha256,
          r.observed.manifest === null ? null : JSON.stringify(r.observed.manifest),
          r.message,
          r.adopted ? 1 : 0,
        );
      }
    })();
  }

  /** The last drift state seen per device and model. */
  lastDrift(deviceId: string): { modelName: string; state: string; checkedAt: string; message: string }[] {
    return (
      this.db
        .prepare(
          `SELECT model_name, state, checked_at, message FROM drift_checks d
           WHERE device_id = ? AND id = (SELECT MAX(id) FROM drift_checks e
             WHERE e.device_id = d.device_id AND e.model_name = d.model_name)
           ORDER BY model_name`,
        )
        .all(deviceId) as { model_name: string; state: string; checked_at: string; message: string }[]
    ).map((r) => ({ modelName: r.model_name, state: r.state, checkedAt: r.checked_at, message: r.message }));
  }
}
