import type { Migration } from '../migration';

export const modelsMigration: Migration = {
  version: 10,
  name: 'models',
  up(db) {
    db.exec(`
      CREATE TABLE models (
        id               TEXT PRIMARY KEY,
        name             TEXT NOT NULL UNIQUE,
        sha256           TEXT NOT NULL UNIQUE,
        size_bytes       INTEGER NOT NULL,
        source_file_name TEXT NOT NULL,
        imported_at      TEXT NOT NULL,
        parent_id        TEXT REFERENCES models(id) ON DELETE RESTRICT,
        method           TEXT,
        recipe_json      TEXT,
        summary_json     TEXT NOT NULL
      );
      CREATE INDEX models_parent ON models(parent_id);
    `);
  },
};
