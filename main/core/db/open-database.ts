import BetterSqlite3, { type Database } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { loadNativeModule } from '../runtime/native-module';
import type { Migration } from './migration';
import { migrations as allMigrations } from './migrations';

export type { Database };

/**
 * Opens (creating if needed) the SQLite database and brings its schema up to date.
 * WAL and a busy timeout let the GUI and the CLI share one file.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = allMigrations): Database {
  // better-sqlite3 opens its compiled addon on the first connection, so this is where a wrong ABI shows.
  const db = loadNativeModule('better-sqlite3', () => new BetterSqlite3(file));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database, migrations: readonly Migration[]): void {
  assertOrdered(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new AppError(
      'DB_TOO_NEW',
      `The database ${db.name} was written by a newer EdgeFleet (schema ${current}; this version knows up to ${latest}). ` +
        'Upgrade EdgeFleet, or use another data directory.',
      { current, latest },
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    // Each step is all-or-nothing: a failed migration leaves the previous version intact.
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

function assertOrdered(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const prev = migrations[i - 1];
    const cur = migrations[i];
    if (prev && cur && cur.version <= prev.version) {
      throw new Error(`Migrations out of order: ${prev.version} then ${cur.version}`);
    }
  }
}
