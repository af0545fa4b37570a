import type { Migration } from '../migration';

/**
 * Benchmarks: user hardware profiles, every measured or estimated figure, and this machine's calibration runs.
 *
 * bench_results keeps one row per (variant, target, settings, run): the history of a variant across runtime
 * versions is a query on (model_id, target, settings_key) ordered by created_at. The columns the UI sorts and
 * filters on are real columns; the full result (stats, estimate breakdown, warnings) is JSON. Results go with
 * their model (ON DELETE CASCADE): a removed variant has no benchmark to show.
 */
export const benchmarksMigration: Migration = {
  version: 50,
  name: 'benchmarks',
  up(db) {
    db.exec(`
      CREATE TABLE hardware_profiles (
        id           TEXT PRIMARY KEY,
        json         TEXT NOT NULL,
        source_file  TEXT,
        imported_at  TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      );
      CREATE TABLE bench_results (
        id             TEXT PRIMARY KEY,
        created_at     TEXT NOT NULL,
        model_id       TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        model_sha256   TEXT NOT NULL,
        source         TEXT NOT NULL CHECK (source IN ('measured', 'estimated')),
        target_kind    TEXT NOT NULL CHECK (target_kind IN ('local', 'profile', 'device')),
        target_id      TEXT NOT NULL,
        profile_id     TEXT,
        settings_key   TEXT NOT NULL,
        ort_version    TEXT NOT NULL,
        runtime        TEXT NOT NULL,
        p50_ms         REAL NOT NULL,
        predicted_ms   REAL,
        peak_rss_bytes INTEGER,
        json           TEXT NOT NULL
      );
      CREATE INDEX bench_results_model ON bench_results(model_id, target_kind, target_id, created_at);
      CREATE INDEX bench_results_profile ON bench_results(profile_id, source, created_at);
      CREATE TABLE bench_calibrations (
        id           TEXT PRIMARY KEY,
        created_at   TEXT NOT NULL,
        host_key     TEXT NOT NULL,
        threads      INTEGER NOT NULL,
        ort_version  TEXT NOT NULL,
        json         TEXT NOT NULL
      );
      CREATE INDEX bench_calibrations_lookup ON bench_calibrations(host_key, threads, ort_version, created_at);
    `);
  },
};
