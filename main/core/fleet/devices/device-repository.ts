import type { Database } from 'better-sqlite3';
import { appErrorSchema } from '../../../../shared/errors';
import type {
  AuthMethod,
  Device,
  DeviceState,
  DeviceStatus,
  PinnedHostKey,
  ProbeFacts,
} from '../../../../shared/schemas/fleet';
import { probeFactsSchema } from '../../../../shared/schemas/fleet';

/** The editable part of a device: what add/edit/import set. */
export type DeviceFields = {
  name: string;
  host: string;
  port: number;
  user: string;
  authMethod: AuthMethod;
  keyPath: string | null;
  jump: string | null;
  profile: string | null;
  deployRoot: string;
  restartCmd: string | null;
  healthCmd: string | null;
  notes: string | null;
};

type DeviceRow = {
  id: string;
  name: string;
  host: string;
  port: number;
  user: string;
  auth_method: AuthMethod;
  key_path: string | null;
  jump: string | null;
  profile: string | null;
  deploy_root: string;
  restart_cmd: string | null;
  health_cmd: string | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
  host_key: string | null;
  host_key_type: string | null;
  host_key_fingerprint: string | null;
  host_key_pinned_at: string | null;
  jump_host_key: string | null;
  jump_host_key_type: string | null;
  jump_host_key_fingerprint: string | null;
  jump_host_key_pinned_at: string | null;
  probe_json: string | null;
  probed_at: string | null;
  status: DeviceState | null;
  status_at: string | null;
  status_error_json: string | null;
  latency_ms: number | null;
  last_seen_at: string | null;
  tags_json: string;
};

function pinned(
  publicKey: string | null,
  keyType: string | null,
  fingerprint: string | null,
  pinnedAt: string | null,
): PinnedHostKey | null {
  if (publicKey === null || keyType === null || fingerprint === null || pinnedAt === null) return null;
  return { publicKey, keyType, fingerprint, pinnedAt };
}

function parseProbe(row: DeviceRow): Device['probe'] {
  if (row.probe_json === null || row.probed_at === null) return null;
  // Facts written by an older probe version that no longer parse are dropped, not fatal: re-probe fixes it.
  const facts = probeFactsSchema.safeParse(JSON.parse(row.probe_json));
  return facts.success ? { facts: facts.data, probedAt: row.probed_at } : null;
}

function parseStatus(row: DeviceRow): DeviceStatus | null {
  if (row.status === null || row.status_at === null) return null;
  const error =
    row.status_error_json === null ? null : appErrorSchema.safeParse(JSON.parse(row.status_error_json));
  return {
    state: row.status,
    checkedAt: row.status_at,
    latencyMs: row.latency_ms,
    error: error?.success === true ? error.data : null,
  };
}

function fromRow(row: DeviceRow): Device {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    user: row.user,
    authMethod: row.auth_method,
    keyPath: row.key_path,
    jump: row.jump,
    tags: (JSON.parse(row.tags_json) as string[]).sort(),
    profile: row.profile,
    deployRoot: row.deploy_root,
    restartCmd: row.restart_cmd,
    healthCmd: row.health_cmd,
    notes: row.notes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    hostKey: pinned(row.host_key, row.host_key_type, row.host_key_fingerprint, row.host_key_pinned_at),
    jumpHostKey: pinned(
      row.jump_host_key,
      row.jump_host_key_type,
      row.jump_host_key_fingerprint,
      row.jump_host_key_pinned_at,
    ),
    probe: parseProbe(row),
    status: parseStatus(row),
    lastSeenAt: row.last_seen_at,
  };
}

const selectDevices = `
  SELECT d.*,
         (SELECT json_group_array(t.tag) FROM device_tags t WHERE t.device_id = d.id) AS tags_json
  FROM devices d`;
const orderByName = 'ORDER BY d.name COLLATE NOCASE';

function fieldParams(f: DeviceFields) {
  return {
    name: f.name,
    host: f.host,
    port: f.port,
    user: f.user,
    authMethod: f.authMethod,
    keyPath: f.keyPath,
    jump: f.jump,
    profile: f.profile,
    deployRoot: f.deployRoot,
    restartCmd: f.restartCmd,
    healthCmd: f.healthCmd,
    notes: f.notes,
  };
}

/** SQL for devices and their tags; validation is the service's. */
export class DeviceRepository {
  constructor(private readonly db: Database) {}

  /** Runs `fn` in one immediate transaction: all of it is written, or none. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  list(tag?: string): Device[] {
    const rows =
      tag === undefined
        ? (this.db.prepare(`${selectDevices} ${orderByName}`).all() as DeviceRow[])
        : (this.db
            .prepare(
              `${selectDevices} WHERE d.id IN (SELECT device_id FROM device_tags WHERE tag = ?) ${orderByName}`,
            )
            .all(tag) as DeviceRow[]);
    return rows.map(fromRow);
  }

  byId(id: string): Device | undefined {
    const row = this.db.prepare(`${selectDevices} WHERE d.id = ?`).get(id) as DeviceRow | undefined;
    return row && fromRow(row);
  }

  /** Names are unique without regard to case. */
  byName(name: string): Device | undefined {
    const row = this.db.prepare(`${selectDevices} WHERE d.name = ? COLLATE NOCASE`).get(name) as
      DeviceRow | undefined;
    return row && fromRow(row);
  }

  allTags(): string[] {
    return (
      this.db.prepare('SELECT DISTINCT tag FROM device_tags ORDER BY tag').all() as { tag: string }[]
    ).map((r) => r.tag);
  }

  /** Devices that reach their host through `name`. */
  jumpDependents(name: string): Device[] {
    const rows = this.db
      .prepare(`${selectDevices} WHERE d.jump = ? COLLATE NOCASE ${orderByName}`)
      .all(name) as DeviceRow[];
    return rows.map(fromRow);
  }

  insert(id: string, fields: DeviceFields, tags: readonly string[], now: string): void {
    this.db
      .prepare(
        `INSERT INTO devices (id, name, host, port, user, auth_method, key_path, jump, profile, deploy_root,
                              restart_cmd, health_cmd, notes, created_at, updated_at)
         VALUES (@id, @name, @host, @port, @user, @authMethod, @keyPath, @jump, @profile, @deployRoot,
                 @restartCmd, @healthCmd, @notes, @now, @now)`,
      )
      .run({ id, now, ...fieldParams(fields) });
    this.addTags(id, tags);
  }

  update(id: string, fields: DeviceFields, now: string): void {
    this.db
      .prepare(
        `UPDATE devices SET name = @name, host = @host, port = @port, user = @user, auth_method = @authMethod,
                key_path = @keyPath, jump = @jump, profile = @profile, deploy_root = @deployRoot,
                restart_cmd = @restartCmd, health_cmd = @healthCmd, notes = @notes, updated_at = @now
         WHERE id = @id`,
      )
      .run({ id, now, ...fieldParams(fields) });
  }

  /** Keeps jump references valid when a jump device is renamed. */
  renameJumpReferences(oldName: string, newName: string, now: string): void {
    this.db
      .prepare('UPDATE devices SET jump = ?, updated_at = ? WHERE jump = ? COLLATE NOCASE')
      .run(newName, now, oldName);
  }

  setTags(id: string, tags: readonly string[]): void {
    this.db.prepare('DELETE FROM device_tags WHERE device_id = ?').run(id);
    this.addTags(id, tags);
  }

  addTags(id: string, tags: readonly string[]): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO device_tags (device_id, tag) VALUES (?, ?)');
    for (const tag of tags) insert.run(id, tag);
  }

  removeTags(id: string, tags: readonly string[]): void {
    const remove = this.db.prepare('DELETE FROM device_tags WHERE device_id = ? AND tag = ?');
    for (const tag of tags) remove.run(id, tag);
  }

  touch(id: string, now: string): void {
    this.db.prepare('UPDATE devices SET updated_at = ? WHERE id = ?').run(now, id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM devices WHERE id = ?').run(id);
  }

  setHostKey(id: string, key: PinnedHostKey | null): void {
    this.db
      .prepare(
        `UPDATE devices SET host_key = ?, host_key_type = ?, host_key_fingerprint = ?, host_key_pinned_at = ?
         WHERE id = ?`,
      )
      .run(key?.publicKey ?? null, key?.keyType ?? null, key?.fingerprint ?? null, key?.pinnedAt ?? null, id);
  }

  setJumpHostKey(id: string, key: PinnedHostKey | null): void {
    this.db
      .prepare(
        `UPDATE devices SET jump_host_key = ?, jump_host_key_type = ?, jump_host_key_fingerprint = ?,
                jump_host_key_pinned_at = ?
         WHERE id = ?`,
      )
      .run(key?.publicKey ?? null, key?.keyType ?? null, key?.fingerprint ?? null, key?.pinnedAt ?? null, id);
  }

  setProbe(id: string, facts: ProbeFacts, probedAt: string): void {
    this.db
      .prepare('UPDATE devices SET probe_json = ?, probed_at = ? WHERE id = ?')
      .run(JSON.stringify(facts), probedAt, id);
  }

  /** Records a reachability check; `last_seen_at` moves only when the device answered. */
  setStatus(id: string, status: DeviceStatus): void {
    this.db
      .prepare(
        `UPDATE devices SET status = @state, status_at = @checkedAt, latency_ms = @latencyMs,
                status_error_json = @errorJson,
                last_seen_at = CASE WHEN @state = 'online' THEN @checkedAt ELSE last_seen_at END
         WHERE id = @id`,
      )
      .run({
        id,
        state: status.state,
        checkedAt: status.checkedAt,
        latencyMs: status.latencyMs,
        errorJson: status.error === null ? null : JSON.stringify(status.error),
      });
  }

  /**
   * A trusted key resolves the host-key problem the last check reported: that status (and its alert) no
   * longer describes the device, so it is cleared until the next check rather than left stale.
   */
  clearHostKeyProblem(id: string): void {
    this.db
      .prepare(
        `UPDATE devices SET status = NULL, status_at = NULL, latency_ms = NULL, status_error_json = NULL
         WHERE id = ? AND status = 'host_key_problem'`,
      )
      .run(id);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM devices').get() as { n: number }).n;
  }
}
