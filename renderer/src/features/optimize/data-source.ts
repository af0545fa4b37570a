import type { PickedFile } from '../../../../shared/contract';
import { formatBytes } from '../../lib/format';
import { emptyData, type DataChoice, type DataSource } from './optimize-form';

export type DataKind = DataChoice['kind'];
export type DataMode = DataSource['mode'];

/** The choice a switch to `kind` starts with, or null when `kind` is already chosen (its entries are kept). */
export function switchDataKind(current: DataChoice, kind: DataKind): DataChoice | null {
  if (kind === current.kind) return null;
  if (kind === 'none') return { kind: 'none' };
  if (kind === 'random') return { kind: 'random', count: 32, seed: 1 };
  return emptyData();
}

/**
 * Files chosen in the browser, as a source held until the run uploads it; null when nothing was chosen. A
 * folder is named after its top directory (the browser gives each file its path relative to the chosen one).
 */
export function uploadedSource(mode: DataMode, files: readonly File[]): DataSource | null {
  const first = files[0];
  if (first === undefined) return null;
  const name = mode === 'folder' ? (first.webkitRelativePath.split('/')[0] ?? first.name) : first.name;
  const sizeBytes = files.reduce((sum, f) => sum + f.size, 0);
  return { origin: 'upload', mode, name, files: [...files], sizeBytes };
}

/** A file or folder chosen in the desktop's dialog; only a file has a name that tells its format. */
export function pickedSource(mode: DataMode, picked: PickedFile): { source: DataSource; names: string[] } {
  return { source: { origin: 'dialog', mode, picked }, names: mode === 'file' ? [picked.fileName] : [] };
}

/** What the field says about the chosen data: its name, whether it is a folder, and its size. */
export function describeSource(source: DataSource): { name: string; folder: boolean; detail: string } {
  const folder = source.mode === 'folder';
  if (source.origin === 'dialog')
    return { name: source.picked.fileName, folder, detail: formatBytes(source.picked.sizeBytes) };
  const size = formatBytes(source.sizeBytes);
  return {
    name: source.name,
    folder,
    detail: folder ? `${source.files.length} files, ${size} (uploaded when the run starts)` : size,
  };
}
