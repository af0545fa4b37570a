import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Temporary names that say which process made them: `<prefix><pid>-<process start, ms>-<random>`. The GUI
 * and the CLI share one data directory, so a starting process may remove only what a process that is gone
 * left behind (or what is older than any job could take), never a running one's staged upload or half-
 * written model.
 */

/** This process's start time in ms (pid + start tells a reused pid apart from the original). */
const processStartMs = Math.round(Date.now() - process.uptime() * 1000);

/** A day: no upload sits staged, and no model is being written, that long. */
const defaultTempMaxAgeMs = 24 * 60 * 60_000;

export function ownedTempName(prefix: string): string {
  return `${prefix}${process.pid}-${processStartMs}-${randomBytes(6).toString('hex')}`;
}

/** This process's own per-process directory name (staging): stable for the life of the process. */
export function processDirName(prefix: string): string {
  return `${prefix}${process.pid}-${processStartMs}`;
}

type TempOwner = { pid: number; startMs: number };

export function tempOwner(name: string, prefix: string): TempOwner | null {
  if (!name.startsWith(prefix)) return null;
  const m = /^(\d+)-(\d+)(?:-[0-9a-f]+)?$/.exec(name.slice(prefix.length));
  if (m === null) return null;
  return { pid: Number(m[1]), startMs: Number(m[2]) };
}

function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type SweepOptions = {
  maxAgeMs?: number;
  now?: number;
  isRunning?: (pid: number) => boolean;
};

/**
 * Removes the entries of `dir` named with `prefix` whose owner is gone (no such pid, or our own pid with
 * another start time: a reused pid) or that are older than `maxAgeMs`. Entries of another live process
 * stay. Names with the prefix but no owner (an older EdgeFleet's) go only when old. Returns the names removed.
 */
export function sweepOwnedTemps(dir: string, prefix: string, options: SweepOptions = {}): string[] {
  const now = options.now ?? Date.now();
  const maxAge = options.maxAgeMs ?? defaultTempMaxAgeMs;
  const isRunning = options.isRunning ?? pidRunning;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      continue;
    }
    const owner = tempOwner(name, prefix);
    const old = now - mtimeMs > maxAge;
    const ownerGone =
      owner !== null &&
      (owner.pid === process.pid ? owner.startMs !== processStartMs : !isRunning(owner.pid));
    if (!old && !ownerGone) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
