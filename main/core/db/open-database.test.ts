import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { tempDir } from '../../../test/fixtures/temp-dir';
import type { Migration } from './migration';
import { migrations } from './migrations';
import { openDatabase, schemaVersion } from './open-database';

/** A database file path in a directory removed when the test ends (these tests are about files on disk). */
function tempDb(): string {
  return join(tempDir('ef-db-'), 'edgefleet.db');
}

const latest = migrations.at(-1)?.version ?? 0;

describe('openDatabase', () => {
  it('creates a fresh database at the latest schema, in WAL mode with a busy timeout', () => {
    const db = openDatabase(tempDb());
    expect(schemaVersion(db)).toBe(latest);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    expect(tables.map((t) => t.name)).toContain('models');
    db.close();
  });

  it('is idempotent: reopening does not re-run migrations', () => {
    const file = tempDb();
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(latest);
    db.close();
  });

  it.each(migrations.slice(0, -1).map((m) => [m.version]))(
    'upgrades a database left at version %i to the latest, keeping its rows',
    (version) => {
      const file = tempDb();
      openDatabase(
        file,
        migrations.filter((m) => m.version <= version),
      ).close();
      const raw = new BetterSqlite3(file);
      expect(schemaVersion(raw)).toBe(version);
      raw.close();
      const db = openDatabase(file);
      expect(schemaVersion(db)).toBe(latest);
      db.close();
    },
  );

  it('upgrades from version 0 (an empty file) and from every step in order', () => {
    const file = tempDb();
    for (const m of migrations) {
      const db = openDatabase(
        file,
        migrations.filter((x) => x.version <= m.version),
      );
      expect(schemaVersion(db)).toBe(m.version);
      db.close();
    }
  });

  it('refuses a database written by a newer version, and leaves it untouched', () => {
    const file = tempDb();
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${latest + 5}`);
    raw.exec('CREATE TABLE future (x)');
    raw.close();
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('DB_TOO_NEW');
    expect((caught as AppError).message).toMatch(/newer EdgeFleet/);
    const check = new BetterSqlite3(file);
    expect(schemaVersion(check)).toBe(latest + 5);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'models'").get()).toBeUndefined();
    check.close();
  });

  it('rolls back a failing migration as a whole', () => {
    const file = tempDb();
    const broken: Migration = {
      version: latest + 10,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (x)');
        throw new Error('boom');
      },
    };
    expect(() => openDatabase(file, [...migrations, broken])).toThrow('boom');
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(latest);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    db.close();
  });

  it('refuses migrations out of order', () => {
    const m = (version: number): Migration => ({ version, name: `m${version}`, up: () => undefined });
    expect(() => openDatabase(tempDb(), [m(20), m(10)])).toThrow(/out of order/);
  });
});
