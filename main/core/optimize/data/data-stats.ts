import { open, type FileHandle } from 'node:fs/promises';
import { AppError } from '../../../../shared/errors';

/**
 * What a sample source holds right now and at most so far. Tests read it to prove memory stays bounded (one
 * sample, a file or two) without measuring RSS, which is noisy.
 */
export type DataStats = {
  openFiles: number;
  maxOpenFiles: number;
  /** Samples handed to a consumer and not yet released (a sample is released when the next one is asked for). */
  samplesHeld: number;
  maxSamplesHeld: number;
  /** Samples decoded so far, over all reads. */
  samplesLoaded: number;
};

export function createDataStats(): DataStats {
  return { openFiles: 0, maxOpenFiles: 0, samplesHeld: 0, maxSamplesHeld: 0, samplesLoaded: 0 };
}

/** Turns a file-system error into an AppError that names the file. */
export function fileError(err: unknown, display: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new AppError('FILE_NOT_FOUND', `${display} does not exist: check the path.`);
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new AppError('FILE_UNREADABLE', `${display} cannot be read (${reason}): check its permissions.`);
}

/** Opens the file for reading, runs `fn`, and always closes it; counts open files in `stats`. */
export async function withFile<T>(
  stats: DataStats,
  path: string,
  display: string,
  fn: (fh: FileHandle) => Promise<T>,
): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw fileError(err, display);
  }
  stats.openFiles++;
  stats.maxOpenFiles = Math.max(stats.maxOpenFiles, stats.openFiles);
  try {
    return await fn(fh);
  } finally {
    stats.openFiles--;
    await fh.close();
  }
}

/** Reads exactly `length` bytes at `position` into a fresh buffer (its own ArrayBuffer, offset 0). */
export async function readExactly(
  fh: FileHandle,
  position: number,
  length: number,
): Promise<{ bytes: Uint8Array; complete: boolean }> {
  const bytes = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) return { bytes: bytes.subarray(0, done), complete: false };
    done += bytesRead;
  }
  return { bytes, complete: true };
}

const HASH_CHUNK = 1 << 20;

/** Feeds bytes [start, end) of an open file to `update` in chunks of at most 1 MiB. */
export async function streamRange(
  fh: FileHandle,
  start: number,
  end: number,
  update: (chunk: Uint8Array) => void,
): Promise<boolean> {
  const buf = new Uint8Array(Math.min(HASH_CHUNK, Math.max(1, end - start)));
  let pos = start;
  while (pos < end) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
    if (bytesRead === 0) return false;
    update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return true;
}
