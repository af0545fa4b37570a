import { open, stat, type FileHandle } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import { AppError } from '../../../../shared/errors';

export type UploadOptions = {
  onProgress?: (bytes: number, total: number) => void;
  signal?: AbortSignal;
  /** Remote file mode, e.g. 0o644. */
  mode?: number;
  /**
   * Flush the file to the device's storage before closing it (`fsync@openssh.com` on the open handle: no
   * second open, no extra round trip). `flushed` says whether the server could.
   */
  fsync?: boolean;
  /**
   * The file's bytes when the caller holds them already (one model to many devices: read once, not once per
   * device). Used only when its length is the file's size.
   */
  content?: Buffer;
};

export type UploadResult = { bytes: number; ms: number; mbPerSec: number; flushed: boolean };

/**
 * SFTP writes of 32 KiB less the request header: each fits one SSH channel packet (OpenSSH's session
 * channels take at most 32 KiB per packet), so no write is split.
 */
export const sftpWriteBytes = 32 * 1024 - 64;
/** Local reads are larger: fewer trips to the thread pool; each block is cut into writes. */
const readBlockBytes = 1024 * 1024;

/**
 * How many writes may be in flight: enough to fill the path, no more. Bytes a device has not consumed yet
 * pile up in its sshd, which then grows and moves buffers: on 2 cores, a 20 MiB upload with 2 MiB in flight
 * cost the device's sshd ~800 ms of CPU, with 256 KiB in flight ~50 ms (and our process half as much).
 * So the window starts at 8 writes (256 KiB, what a LAN needs) and grows only while the writes come back as
 * fast as the fastest did (nothing queues: the path is longer than the window, as on a WAN), and shrinks
 * again when they queue — the delay-based rule of TCP Vegas, counted in writes.
 */
export class WriteWindow {
  private limitValue: number;
  private baseMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly min = 8,
    private readonly max = 64,
  ) {
    this.limitValue = min;
  }

  get limit(): number {
    return Math.floor(this.limitValue);
  }

  /** One write came back `ms` after it was sent. */
  acked(ms: number): void {
    this.baseMs = Math.min(this.baseMs, ms);
    // Writes waiting in queues (the device's or the network's) beyond what the path itself holds.
    const queued = this.limitValue * (1 - this.baseMs / Math.max(ms, 1e-3));
    if (queued < 2) this.limitValue = Math.min(this.max, this.limitValue + 1);
    else if (queued > 6) this.limitValue = Math.max(this.min, this.limitValue - 1 / this.limitValue);
  }
}

type UploadInput = {
  sftp: SFTPWrapper;
  localPath: string;
  remotePath: string;
  where: string;
  options: UploadOptions;
  /** Gathers the packets sent in this tick into one socket write. */
  batchWrites?: () => void;
  /** Closes the SFTP channel; the only way to stop writes in flight. */
  abortChannel: () => void;
  /**
   * Calls `onClosed` once the SSH connection ends (at once when it already has); returns an unsubscribe.
   * SFTP requests in flight are never answered when the connection drops, so this is what ends it then.
   */
  watchClose: (onClosed: () => void) => () => void;
};

/**
 * Cancelling closes the SFTP channel (not the connection): the writes in flight then fail, the local file
 * is closed, and we reject with CANCELLED after that so nothing is left running. A connection that drops
 * (the device died, the network went, someone closed it) rejects with UNREACHABLE at once. The remote file
 * is left partial either way; callers upload to a temporary name and rename.
 */
export async function uploadFile(input: UploadInput): Promise<UploadResult> {
  const { sftp, localPath, remotePath, where, options } = input;
  const total = await localSize(localPath);
  if (options.signal?.aborted) throw cancelled(localPath, where);
  const started = performance.now();
  const local = await openLocal(localPath);
  let sent = 0;
  let aborted = false;
  let lost = false;
  /** What is waiting on the server (an SFTP call, a free slot in the window): ended on cancel or drop. */
  const stops = new Set<() => void>();
  const stopAll = (): void => {
    for (const stop of [...stops]) stop();
  };
  const onAbort = (): void => {
    aborted = true;
    input.abortChannel();
    stopAll();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const stopWatching = input.watchClose(() => {
    lost = true;
    stopAll();
  });
  const failure = (err: unknown): AppError => {
    if (aborted) return cancelled(localPath, where);
    if (lost) return connectionLost(localPath, where, sent, total);
    if (err instanceof AppError) return err;
    return remoteFileError(err as Error, remotePath, where, 'write');
  };
  let flushed = false;
  try {
    if (lost) throw connectionLost(localPath, where, sent, total);
    const handle = await stoppable<Buffer>((done) =>
      sftp.open(remotePath, 'w', options.mode === undefined ? {} : { mode: options.mode }, done),
    );
    let closing: Promise<void> | null = null;
    const close = (): Promise<void> =>
      stoppable<void>((done) => sftp.close(handle, (err) => done(err ?? undefined)));
    try {
      const content = options.content?.length === total ? options.content : null;
      await writeAll(sftp, handle, content ?? local, total, (bytes) => {
        sent = bytes;
        options.onProgress?.(bytes, total);
      });
      // The flush and the close leave together (the server answers them in order): one round trip, not two.
      const flushing =
        options.fsync === true && hasFsync(sftp)
          ? stoppable<void>((done) => sftp.ext_openssh_fsync(handle, (err) => done(err ?? undefined)))
          : null;
      closing = close();
      const [flush, closed] = await Promise.allSettled([flushing, closing]);
      if (flush.status === 'rejected') throw flush.reason;
      if (closed.status === 'rejected') throw closed.reason;
      flushed = flushing !== null;
    } finally {
      // After a failed write the handle is closed too, but the write's error is the one to report.
      if (closing === null && !aborted && !lost) await close().catch(() => undefined);
    }
  } catch (err) {
    throw failure(err);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stopWatching();
    await local.close();
  }
  const ms = performance.now() - started;
  return { bytes: total, ms, mbPerSec: total / 1e6 / Math.max(ms / 1000, 1e-6), flushed };

  /** An SFTP call that also ends (rejecting) when the upload is cancelled or the connection drops. */
  function stoppable<T>(
    call: (done: (err: Error | null | undefined, value?: T) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (aborted || lost) {
        reject(failure(null));
        return;
      }
      const stop = (): void => reject(failure(null));
      stops.add(stop);
      call((err, value) => {
        stops.delete(stop);
        if (err) reject(failure(err));
        else resolve(value as T);
      });
    });
  }

  /** Keeps the window's worth of writes in flight until the whole file is acknowledged. */
  function writeAll(
    sftp: SFTPWrapper,
    handle: Buffer,
    source: FileHandle | Buffer,
    size: number,
    onAcked: (bytes: number) => void,
  ): Promise<void> {
    const window = new WriteWindow();
    let acked = 0;
    let inflight = 0;
    let error: unknown = null;
    let wake: (() => void) | null = null;
    const slot = (): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const stop = (): void => reject(failure(null));
        stops.add(stop);
        wake = () => {
          stops.delete(stop);
          resolve();
        };
      });
    const read = (start: number): Promise<{ buf: Buffer; len: number; start: number }> => {
      if (Buffer.isBuffer(source)) return Promise.resolve({ buf: source, len: size, start: 0 });
      const buf = Buffer.allocUnsafe(Math.min(readBlockBytes, size - start));
      return source.read(buf, 0, buf.length, start).then((r) => ({ buf, len: r.bytesRead, start }));
    };
    return (async () => {
      let next = size > 0 ? read(0) : null;
      while (next !== null) {
        const block = await next;
        if (block.len === 0)
          throw new AppError('FILE_UNREADABLE', `${localPath} became shorter while it was uploaded.`);
        const after = block.start + block.len;
        next = after < size ? read(after) : null;
        for (let o = 0; o < block.len; o += sftpWriteBytes) {
          while (inflight >= window.limit && error === null) await slot();
          if (error !== null) throw error;
          if (aborted || lost) throw failure(null);
          const n = Math.min(sftpWriteBytes, block.len - o);
          const t0 = performance.now();
          inflight += 1;
          input.batchWrites?.();
          // ssh2 copies the bytes into its packet: the block may be reused or dropped after this call.
          sftp.write(handle, block.buf, o, n, block.start + o, (err) => {
            inflight -= 1;
            if (err) error ??= err;
            else {
              acked += n;
              window.acked(performance.now() - t0);
              onAcked(acked);
            }
            const w = wake;
            wake = null;
            w?.();
          });
        }
      }
      while (inflight > 0 && error === null) await slot();
      if (error !== null) throw error;
    })();
  }
}

function hasFsync(sftp: SFTPWrapper): boolean {
  const ext = (sftp as SFTPWrapper & { _extensions?: Record<string, string> })._extensions;
  return ext?.['fsync@openssh.com'] === '1';
}

async function openLocal(localPath: string): Promise<FileHandle> {
  try {
    return await open(localPath, 'r');
  } catch (err) {
    throw new AppError('FILE_UNREADABLE', `${localPath} cannot be read: ${(err as Error).message}.`);
  }
}

export function readRemoteFile(sftp: SFTPWrapper, remotePath: string, where: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    sftp.readFile(remotePath, (err, data) => {
      if (err) reject(remoteFileError(err, remotePath, where, 'read'));
      else resolve(data);
    });
  });
}

async function localSize(localPath: string): Promise<number> {
  try {
    const info = await stat(localPath);
    if (!info.isFile())
      throw new AppError('FILE_UNREADABLE', `${localPath} is not a file. Choose a file to upload.`);
    return info.size;
  } catch (err) {
    if (err instanceof AppError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('FILE_NOT_FOUND', `${localPath} does not exist. Choose an existing file to upload.`);
    }
    throw new AppError('FILE_UNREADABLE', `${localPath} cannot be read: ${(err as Error).message}.`);
  }
}

function connectionLost(localPath: string, where: string, sent: number, total: number): AppError {
  return new AppError(
    'UNREACHABLE',
    `The connection to ${where} closed during the upload of ${localPath} (${sent} of ${total} B sent). Check that the device is up and reachable, then retry.`,
    { bytesSent: sent, bytesTotal: total },
  );
}

function cancelled(localPath: string, where: string): AppError {
  return new AppError('CANCELLED', `Upload of ${localPath} to ${where} was cancelled.`);
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02): 2 = no such file, 3 = permission denied. */
function remoteFileError(err: Error, remotePath: string, where: string, op: 'read' | 'write'): AppError {
  const code = (err as Error & { code?: unknown }).code;
  if (code === 2 || code === 'ENOENT') {
    return new AppError(
      'FILE_NOT_FOUND',
      op === 'read'
        ? `${remotePath} does not exist on ${where}.`
        : `Cannot write ${remotePath} on ${where}: its directory does not exist. Create it first.`,
      { remotePath },
    );
  }
  if (code === 3) {
    return new AppError(
      'FILE_UNREADABLE',
      `Permission denied to ${op} ${remotePath} on ${where}. Check the remote user's rights.`,
      { remotePath },
    );
  }
  return new AppError(
    'REMOTE_COMMAND_FAILED',
    `SFTP ${op} of ${remotePath} on ${where} failed: ${err.message}.`,
    {
      remotePath,
    },
  );
}
