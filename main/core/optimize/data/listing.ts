import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileError } from './data-stats';

export type PathKind = { kind: 'file'; size: number } | { kind: 'dir' };

/** Whether the data path is a file or a folder; FILE_NOT_FOUND when it is neither. */
export async function statDataPath(path: string): Promise<PathKind> {
  let s;
  try {
    s = await stat(path);
  } catch (err) {
    throw fileError(err, `The data path ${path}`);
  }
  if (s.isDirectory()) return { kind: 'dir' };
  if (s.isFile()) return { kind: 'file', size: s.size };
  throw fileError(
    Object.assign(new Error('not a file or folder'), { code: 'EINVAL' }),
    `The data path ${path}`,
  );
}

type Listing = { files: string[]; dirs: string[] };

/** Code-point order: the same on every machine and locale (zero-pad numbers: 2.npy sorts after 10.npy). */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Files and subfolders of a folder, sorted by name; hidden entries (".DS_Store", ".git") are left out. */
export async function listFolder(path: string): Promise<Listing> {
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    throw fileError(err, `The data folder ${path}`);
  }
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) dirs.push(e.name);
    else if (e.isFile()) files.push(e.name);
    else if (e.isSymbolicLink()) {
      // Follow links the way a user expects a folder of samples to behave.
      try {
        const s = await stat(join(path, e.name));
        if (s.isDirectory()) dirs.push(e.name);
        else if (s.isFile()) files.push(e.name);
      } catch {
        // A dangling link is no sample.
      }
    }
  }
  return { files: files.sort(byName), dirs: dirs.sort(byName) };
}

/** "calib/007.npy": the file as messages name it, relative to the data folder's parent. */
export function displayName(root: string, ...parts: string[]): string {
  return [basename(root), ...parts].join('/');
}

export const LABEL_FILES = ['labels.csv', 'labels.txt'];

/** "Ignored 3 entries in /data (not .npy files): a.txt, b.json, …." for source warnings; null when none. */
export function skippedWarning(names: readonly string[], dir: string, why: string): string | null {
  if (names.length === 0) return null;
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  return `Ignored ${names.length} ${names.length === 1 ? 'entry' : 'entries'} in ${dir} (${why}): ${shown}.`;
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
