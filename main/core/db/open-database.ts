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
  // better-sqlite3 opens its compiled addon on the first connection, so this is where a wrong ABI shows. Its own
  // timeout (5 s) is the busy timeout, set before anything touches the file: switching a fresh database to WAL
  // takes a lock another opener may hold at that moment.
  const db = loadNativeModule('better-sqlite3', () => new BetterSqlite3(file, { timeout: 5000 }));
  try {
    db.pragma('busy_timeout = 5000');
    // SQLite answers a journal-mode change that meets another opener's lock with SQLITE_BUSY at once (the
    // busy handler does not cover it): retried here within the same 5 s.
    retryWhileBusy(() => db.pragma('journal_mode = WAL'), 5000);
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

function migrate(db: Database, migrations: readonly Migration[]): void {
  assertOrdered(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  const seen = schemaVersion(db);
  assertNotNewer(db, seen, latest);
  for (const m of migrations) {
    // Versions only increase: a step already applied when first read needs no transaction.
    if (m.version <= seen) continue;
    // Each step is all-or-nothing: a failed migration leaves the previous version intact. The version is
    // read again inside the IMMEDIATE transaction (which holds the write lock): another process opening the
    // same new database may have applied this step since the read above.
    db.transaction(() => {
      const current = schemaVersion(db);
      assertNotNewer(db, current, latest);
      if (m.version <= current) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

function assertNotNewer(db: Database, current: number, latest: number): void {
  if (current > latest) {
    throw new AppError(
      'DB_TOO_NEW',
      `The database ${db.name} was written by a newer EdgeFleet (schema ${current}; this version knows up to ${latest}). ` +
        'Upgrade EdgeFleet, or use another data directory.',
      { current, latest },
    );
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

function retryWhileBusy<T>(fn: () => T, budgetMs: number): T {
  const deadline = Date.now() + budgetMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || Date.now() >= deadline) throw err;
      Atomics.wait(pause, 0, 0, 5 + Math.floor(Math.random() * 20));
    }
  }
}
