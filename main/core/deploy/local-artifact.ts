import { stat } from 'node:fs/promises';
import type { Database } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { sha256File } from '../files/sha256-file';
import type { DeployArtifact } from './types';

/**
 * A file changed within this long before it was hashed is hashed again next time: a write in the same clock
 * tick as the check could leave the signature unchanged (git's "racy" index entries).
 */
const settledMs = 2000;

type Signature = { text: string; changedMs: number; size: number };

async function signatureOf(path: string): Promise<Signature> {
  const s = await stat(path, { bigint: true });
  return {
    text: `${s.size} ${s.mtimeNs} ${s.ctimeNs} ${s.ino} ${s.dev}`,
    changedMs: Number(s.ctimeNs / 1_000_000n),
    size: Number(s.size),
  };
}

/**
 * The local file must be the artifact it claims to be: a wrong file would be "verified" against a wrong hash.
 * Its sha256 is read again only when the file's signature (size, mtime and ctime in ns, inode, device) differs
 * from the one recorded when it last matched: every write moves ctime, which no one can set back, so a deploy
 * of a large model that did not change does not hash it again (20 MiB: ~60 ms of a 1.5 s re-deploy).
 */
export function localArtifactCheck(
  db: Database,
  { hash = sha256File, settledAfterMs = settledMs } = {},
): (artifact: DeployArtifact) => Promise<void> {
  const read = db.prepare<[string], { sha256: string; signature: string }>(
    'SELECT sha256, signature FROM file_checks WHERE path = ?',
  );
  const write = db.prepare<[string, string, string, string]>(
    `INSERT INTO file_checks (path, sha256, signature, checked_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256, signature = excluded.signature,
       checked_at = excluded.checked_at`,
  );
  const forget = db.prepare<[string]>('DELETE FROM file_checks WHERE path = ?');
  return async (artifact) => {
    const path = artifact.localPath;
    let before: Signature;
    try {
      before = await signatureOf(path);
    } catch {
      throw new AppError(
        'FILE_NOT_FOUND',
        `The model file ${path} is missing. Re-import the model, then deploy again.`,
      );
    }
    if (before.size !== artifact.sizeBytes) {
      throw new AppError(
        'CHECKSUM_MISMATCH',
        `The model file ${path} has ${before.size} bytes, not ${artifact.sizeBytes}: it changed since it was imported. Re-import the model.`,
      );
    }
    const known = read.get(path);
    if (known?.sha256 === artifact.sha256 && known.signature === before.text) return;
    const started = Date.now();
    const actual = await hash(path);
    if (actual !== artifact.sha256) {
      forget.run(path);
      throw new AppError(
        'CHECKSUM_MISMATCH',
        `The model file ${path} has sha256 ${actual}, not ${artifact.sha256}: it changed since it was imported. Re-import the model.`,
      );
    }
    const after = await signatureOf(path);
    if (after.text === before.text && started - after.changedMs > settledAfterMs) {
      write.run(path, actual, after.text, new Date().toISOString());
    }
  };
}
