import type { Migration } from '../migration';

/**
 * The device inventory. Secrets are not here: passwords and key passphrases are asked at use (see
 * SecretStore). Tags get their own table so "all devices with tag T" is an index lookup and a tag may hold
 * any text. Last probe facts and status are cached on the row: the Fleet page shows them for 2,000 devices
 * without a second query.
 */
export const devicesMigration: Migration = {
  version: 30,
  name: 'devices',
  up(db) {
    db.exec(`
      CREATE TABLE devices (
        id                        TEXT PRIMARY KEY,
        name                      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        host                      TEXT NOT NULL,
        port                      INTEGER NOT NULL DEFAULT 22 CHECK (port BETWEEN 1 AND 65535),
        user                      TEXT NOT NULL,
        auth_method               TEXT NOT NULL CHECK (auth_method IN ('key', 'agent', 'password')),
        key_path                  TEXT,
        jump                      TEXT,
        profile                   TEXT,
        deploy_root               TEXT NOT NULL DEFAULT '/opt/edgefleet',
        restart_cmd               TEXT,
        health_cmd                TEXT,
        notes                     TEXT,
        created_at                TEXT NOT NULL,
        updated_at                TEXT NOT NULL,
        host_key                  TEXT,
        host_key_type             TEXT,
        host_key_fingerprint      TEXT,
        host_key_pinned_at        TEXT,
        jump_host_key             TEXT,
        jump_host_key_type        TEXT,
        jump_host_key_fingerprint TEXT,
        jump_host_key_pinned_at   TEXT,
        probe_json                TEXT,
        probed_at                 TEXT,
        status                    TEXT CHECK (status IN ('online', 'offline', 'auth_failed', 'host_key_problem', 'timeout', 'error')),
        status_at                 TEXT,
        status_error_json         TEXT,
        latency_ms                REAL,
        last_seen_at              TEXT
      );
      CREATE INDEX devices_endpoint ON devices(host, port);
      CREATE TABLE device_tags (
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        tag       TEXT NOT NULL,
        PRIMARY KEY (device_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX device_tags_tag ON device_tags(tag);
    `);
  },
};
