import { constants, fstatSync, openSync, readSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppError } from '../../../../shared/errors';

/** No SSH private key is anywhere near this (an RSA-16384 PEM is ~12 KiB); more is not a key. */
export const maxKeyFileBytes = 64 * 1024;

/** Pseudo-filesystems whose "regular files" are generated on read (environ, kcore, …): never a key. */
const pseudoRoots = ['/proc/', '/sys/', '/dev/'];

type ReadKeyOptions = {
  signal?: AbortSignal | undefined;
  /** Absolute time (performance.now() ms) by which the read must finish: the connect deadline. */
  deadline?: number | undefined;
  where?: string | undefined;
};

/**
 * Reads a private key file safely: opened non-blocking (a FIFO neither blocks the open nor the read), checked
 * on the open descriptor (regular file, ≤ 64 KiB: no FIFO, device or /proc file), read at most 64 KiB + 1
 * bytes, and abandoned at the deadline or on cancel. Any of these refusals comes before the bytes are parsed.
 */
export async function readKeyFile(path: string, options: ReadKeyOptions = {}): Promise<Buffer> {
  const { signal } = options;
  assertNotPseudo(path);
  throwIfCancelled(signal, path);
  if (options.deadline !== undefined && performance.now() >= options.deadline) throw timedOut(path);
  const read = (async () => {
    let handle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (err) {
      throw openError(path, err, options.where);
    }
    try {
      const info = await handle.stat();
      assertRegular(path, info.isFile(), info.size);
      const buffer = Buffer.alloc(maxKeyFileBytes + 1);
      let total = 0;
      while (total < buffer.length) {
        throwIfCancelled(signal, path);
        const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      assertRegular(path, true, total);
      return buffer.subarray(0, total);
    } finally {
      await handle.close();
    }
  })();
  return raceDeadline(read, path, options);
}

/** The same checks, synchronously, for a quick look at a few small key files (does it need a passphrase?). */
export function readKeyFileSync(path: string): Buffer {
  assertNotPseudo(path);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw openError(path, err, undefined);
  }
  try {
    const info = fstatSync(fd);
    assertRegular(path, info.isFile(), info.size);
    const buffer = Buffer.alloc(maxKeyFileBytes + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
      if (total === buffer.length) break;
    }
    assertRegular(path, true, total);
    return buffer.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

function assertNotPseudo(path: string): void {
  const absolute = resolve(path);
  if (pseudoRoots.some((root) => absolute.startsWith(root))) notRegular(path);
}

function assertRegular(path: string, isFile: boolean, size: number): void {
  if (!isFile) notRegular(path);
  if (size > maxKeyFileBytes) {
    throw new AppError(
      'KEY_FILE_TOO_LARGE',
      `${path} is larger than ${maxKeyFileBytes / 1024} KiB, so it is not an SSH private key. Choose the private key file (for example ~/.ssh/id_ed25519).`,
      { path, maxBytes: maxKeyFileBytes },
    );
  }
}

function notRegular(path: string): never {
  throw new AppError(
    'KEY_FILE_NOT_REGULAR',
    `${path} is not a regular file (a pipe, device or system file), so it cannot be an SSH private key. Choose the private key file (for example ~/.ssh/id_ed25519).`,
    { path },
  );
}

function openError(path: string, err: unknown, where: string | undefined): AppError {
  const code = (err as NodeJS.ErrnoException).code;
  const forWhom = where === undefined ? '' : ` for ${where}`;
  if (code === 'ENOENT') {
    return new AppError(
      'FILE_NOT_FOUND',
      `The private key ${path}${forWhom} does not exist. Choose an existing key file.`,
      { path },
    );
  }
  return new AppError(
    'FILE_UNREADABLE',
    `The private key ${path}${forWhom} cannot be read (${code ?? String(err)}). Check the path and its permissions.`,
    { path },
  );
}

function throwIfCancelled(signal: AbortSignal | undefined, path: string): void {
  if (signal?.aborted) throw new AppError('CANCELLED', `Reading the key ${path} was cancelled.`);
}

function timedOut(path: string): AppError {
  return new AppError(
    'TIMEOUT',
    `Reading the key ${path} did not finish within the connect timeout. Choose a key file on a local disk.`,
    { path },
  );
}

/** Whatever the file system does, the caller gets an answer by the deadline or on cancel. */
function raceDeadline(read: Promise<Buffer>, path: string, options: ReadKeyOptions): Promise<Buffer> {
  const { signal, deadline } = options;
  if (signal === undefined && deadline === undefined) return read;
  return new Promise<Buffer>((resolvePromise, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      cleanup();
      reject(new AppError('CANCELLED', `Reading the key ${path} was cancelled.`));
    };
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(
            () => {
              cleanup();
              reject(timedOut(path));
            },
            Math.max(0, deadline - performance.now()),
          );
    signal?.addEventListener('abort', onAbort, { once: true });
    read.then(
      (bytes) => {
        cleanup();
        resolvePromise(bytes);
      },
      (err: unknown) => {
        cleanup();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
