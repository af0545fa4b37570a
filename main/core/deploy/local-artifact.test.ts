import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { openDatabase, type Database } from '../db/open-database';
import { sha256File } from '../files/sha256-file';
import { localArtifactCheck } from './local-artifact';
import type { DeployArtifact } from './types';

let work: string;
let db: Database;
let file: string;
const bytes = Buffer.from('model bytes '.repeat(1000));
const artifact = (): DeployArtifact => ({
  modelName: 'm',
  variantId: 'v',
  version: '1',
  sha256: createHash('sha256').update(bytes).digest('hex'),
  sizeBytes: bytes.length,
  localPath: file,
  method: 'original',
  recipe: null,
  parentSha256: null,
});

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ef-local-artifact-'));
  db = openDatabase(join(work, 'edgefleet.db'));
  file = join(work, 'model.onnx');
  writeFileSync(file, bytes);
});
afterEach(() => {
  db.close();
  rmSync(work, { recursive: true, force: true });
});

/** The check with its hash reads counted. */
function counted(settledAfterMs: number) {
  const reads: string[] = [];
  const check = localArtifactCheck(db, {
    settledAfterMs,
    hash: (p) => (reads.push(p), sha256File(p)),
  });
  return { check, reads };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toSatisfy((e) => e instanceof AppError && e.code === code);
}

describe('local artifact check', () => {
  it('hashes a file once while its signature stays the same, again after any write', async () => {
    const { check, reads } = counted(-1);
    await check(artifact());
    await check(artifact());
    // A fresh check (a new CLI process) reads the record from the database.
    await localArtifactCheck(db, { hash: () => Promise.reject(new Error('read again')) })(artifact());
    expect(reads).toHaveLength(1);
    // Same size, same bytes, but written: ctime moved, so the file is read again.
    appendFileSync(file, 'x');
    truncateSync(file, bytes.length);
    await check(artifact());
    expect(reads).toHaveLength(2);
  });

  it('refuses a changed file of the same size and forgets what it knew of it', async () => {
    const { check, reads } = counted(-1);
    await check(artifact());
    writeFileSync(file, Buffer.from(bytes).fill(65, 0, 5));
    await expectCode(check(artifact()), 'CHECKSUM_MISMATCH');
    expect(db.prepare('SELECT count(*) AS n FROM file_checks').get()).toEqual({ n: 0 });
    writeFileSync(file, bytes);
    await check(artifact());
    expect(reads).toHaveLength(3);
  });

  it('refuses a missing file and one of another size before reading it', async () => {
    const { check, reads } = counted(-1);
    await expectCode(check({ ...artifact(), sizeBytes: bytes.length + 1 }), 'CHECKSUM_MISMATCH');
    rmSync(file);
    await expectCode(check(artifact()), 'FILE_NOT_FOUND');
    expect(reads).toHaveLength(0);
  });

  it('does not record a file written moments before its check (a write in the same tick could go unseen)', async () => {
    const { check, reads } = counted(60_000);
    await check(artifact());
    await check(artifact());
    expect(reads).toHaveLength(2);
  });
});
