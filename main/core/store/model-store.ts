import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const shaPattern = /^[0-9a-f]{64}$/;
const tempPrefix = '.incoming-';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Content-addressed model files: `<dir>/<sha256>.onnx`. Writes go to a temp name and are renamed into place,
 * so a crash never leaves a half-written model under a valid name.
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
    const temp = join(this.dir, `${tempPrefix}${randomBytes(8).toString('hex')}`);
    try {
      await writeFile(temp, bytes, { flag: 'wx', mode: 0o600 });
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return { sha256, path, created: true };
  }

  async remove(sha256: string): Promise<boolean> {
    const path = this.pathFor(sha256);
    const existed = await this.has(sha256);
    await rm(path, { force: true });
    return existed;
  }

  /** Leftovers of writes interrupted by a crash. */
  private sweepTemp(): void {
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(tempPrefix)) rmSync(join(this.dir, name), { force: true });
    }
  }
}
