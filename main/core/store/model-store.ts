import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ownedTempName, sweepOwnedTemps } from '../files/owned-temp';

const shaPattern = /^[0-9a-f]{64}$/;
const tempPrefix = '.incoming-';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Content-addressed model files: `<dir>/<sha256>.onnx`. Writes go to a temp name, are flushed (fsync) and
 * renamed into place, and the directory is flushed after the rename, so neither a crash nor a power cut
 * leaves a half-written model under a valid name. Temp names carry the writing process (owned-temp.ts):
 * another process opening the store removes only those of processes that are gone.
 */
export class ModelStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.sweepTemp();
  }

  pathFor(sha256: string): string {
    if (!shaPattern.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.dir, `${sha256}.onnx`);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathFor(sha256))).isFile();
    } catch {
      return false;
    }
  }

  /** Stores bytes; `created` is false when the same content was already there. */
  async put(
    bytes: Uint8Array,
    sha256 = sha256Hex(bytes),
  ): Promise<{ sha256: string; path: string; created: boolean }> {
    const path = this.pathFor(sha256);
    if (await this.has(sha256)) return { sha256, path, created: false };
    const temp = join(this.dir, ownedTempName(tempPrefix));
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    await syncDir(this.dir);
    return { sha256, path, created: true };
  }

  async remove(sha256: string): Promise<boolean> {
    const path = this.pathFor(sha256);
    const existed = await this.has(sha256);
    await rm(path, { force: true });
    return existed;
  }

  /** Leftovers of writes interrupted by a crash (never a live process's write in progress). */
  private sweepTemp(): void {
    sweepOwnedTemps(this.dir, tempPrefix);
  }
}

/** fsync of a directory: its new entries (a rename into it) survive a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
