import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test/fixtures/repo-path';
import { tempDir } from '../../../test/fixtures/temp-dir';
import { migrations } from './migrations';
import { openDatabase, schemaVersion } from './open-database';

/**
 * Processes sharing a data directory (the GUI and the CLI, two CLIs) may all open a database that does not
 * exist yet: every open succeeds and the schema is applied once (the version is re-read inside the
 * IMMEDIATE transaction that applies a step).
 */

function child(files: string[]): Promise<{ ok: number; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test/fixtures/open-db-child.ts'), ...files],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as { ok: number; errors: string[] });
    });
  });
}

describe('opening one fresh database from several processes at once', () => {
  it('succeeds in every process, and the schema is at the latest version once', async () => {
    const dir = tempDir('ef-db-concurrent-');
    const files = Array.from({ length: 10 }, (_, i) => join(dir, `edgefleet-${i}.db`));
    const results = await Promise.all(Array.from({ length: 4 }, () => child(files)));
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.map((r) => r.ok)).toEqual([10, 10, 10, 10]);
    for (const file of files) {
      const db = openDatabase(file);
      expect(schemaVersion(db)).toBe(migrations.at(-1)?.version);
      db.close();
    }
  });
});
