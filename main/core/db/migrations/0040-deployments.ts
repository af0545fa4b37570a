import type { Migration } from '../migration';

/**
 * Deploy tracking. Device ids are not foreign keys to `devices`: history must outlive a removed device, so
 * every row also keeps the device's name as it was. `device_releases` is what EdgeFleet believes each
 * device runs per model (current and previous); drift checks compare it with the devices and record what
 * they saw in `drift_checks`. `runner_pid/runner_host/heartbeat_at` tell a deployment whose process died
 * (→ interrupted at the next start) from one another process (GUI or CLI) is still running.
 */
export const deploymentsMigration: Migration = {
  version: 40,
  name: 'deployments',
  up(db) {
    db.exec(`
      CREATE TABLE deployments (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('deploy', 'rollback')),
        model_name    TEXT NOT NULL,
        variant_id    TEXT,
        version       TEXT,
        release       TEXT,
        sha256        TEXT,
        size_bytes    INTEGER,
        requested_by  TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        finished_at   TEXT,
        status        TEXT NOT NULL
                      CHECK (status IN ('running', 'succeeded', 'failed', 'stopped', 'cancelled', 'interrupted')),
        options_json  TEXT NOT NULL,
        targets_json  TEXT NOT NULL,
        error_json    TEXT,
        runner_pid    INTEGER,
        runner_host   TEXT,
        heartbeat_at  TEXT
      );
      CREATE INDEX deployments_created ON deployments(created_at);
      CREATE INDEX deployments_running ON deployments(status) WHERE status = 'running';

      CREATE TABLE deployment_devices (
        deployment_id  TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
        device_id      TEXT NOT NULL,
        device_name    TEXT NOT NULL,
        position       INTEGER NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('pending', 'running', 'deployed', 'unchanged',
                         'rolled_back', 'failed', 'cancelled', 'skipped', 'interrupted')),
        step           TEXT,
        bytes_sent     INTEGER NOT NULL DEFAULT 0,
        bytes_total    INTEGER NOT NULL DEFAULT 0,
        started_at     TEXT,
        finished_at    TEXT,
        duration_ms    REAL,
        step_ms_json   TEXT NOT NULL DEFAULT '{}',
        log_json       TEXT NOT NULL DEFAULT '[]',
        error_code     TEXT,
        error_message  TEXT,
        release_before TEXT,
        release_after  TEXT,
        facts_json     TEXT,
        PRIMARY KEY (deployment_id, device_id)
      ) WITHOUT ROWID;
      CREATE INDEX deployment_devices_device ON deployment_devices(device_id);

      CREATE TABLE device_releases (
        device_id           TEXT NOT NULL,
        model_name          TEXT NOT NULL,
        device_name         TEXT NOT NULL,
        deploy_root         TEXT NOT NULL,
        current_release     TEXT,
        current_sha256      TEXT,
        current_variant_id  TEXT,
        current_version     TEXT,
        previous_release    TEXT,
        previous_sha256     TEXT,
        previous_variant_id TEXT,
        previous_version    TEXT,
        source              TEXT NOT NULL CHECK (source IN ('deploy', 'rollback', 'drift')),
        deployment_id       TEXT,
        updated_at          TEXT NOT NULL,
        PRIMARY KEY (device_id, model_name)
      ) WITHOUT ROWID;

      CREATE TABLE drift_checks (
        id               INTEGER PRIMARY KEY,
        checked_at       TEXT NOT NULL,
        device_id        TEXT NOT NULL,
        device_name      TEXT NOT NULL,
        model_name       TEXT NOT NULL,
        state            TEXT NOT NULL
                         CHECK (state IN ('in_sync', 'different_version', 'modified', 'missing', 'unknown')),
        expected_release TEXT,
        expected_sha256  TEXT,
        observed_release TEXT,
        observed_sha256  TEXT,
        manifest_json    TEXT,
        message          TEXT NOT NULL,
        adopted          INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX drift_checks_device ON drift_checks(device_id, model_name, checked_at);
    `);
  },
};
