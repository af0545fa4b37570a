import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';

/**
 * The data directory holds the inventory (hosts, users, key paths, pinned keys), logs and models: only its
 * owner may read it. Created 0700; an existing directory of ours that others can read is tightened, and the
 * files we create in it are 0600. Skipped on Windows, where modes do not apply.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const info = statSync(dir);
  if (info.uid === process.getuid?.() && (info.mode & 0o077) !== 0) chmodSync(dir, info.mode & 0o700);
}

/** Makes the given files (those that exist) readable by their owner only. */
export function makePrivateFiles(paths: readonly string[]): void {
  if (process.platform === 'win32') return;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const info = statSync(path);
    if (info.uid === process.getuid?.() && (info.mode & 0o077) !== 0) chmodSync(path, 0o600);
  }
}
