import { stat } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import { AppError } from '../../../../shared/errors';

export type UploadOptions = {
  onProgress?: (bytes: number, total: number) => void;
  signal?: AbortSignal;
  /** Remote file mode, e.g. 0o644. */
  mode?: number;
};

export type UploadResult = { bytes: number; ms: number; mbPerSec: number };

/**
 * 255 KiB: the largest payload OpenSSH's SFTP server accepts in one write (its 256 KiB packet limit minus
 * headers). With TCP_NODELAY this reached 305–388 MiB/s on loopback (SETUP-NOTES).
 */
const sftpChunkSize = 261_120;
const sftpConcurrency = 64;

type UploadInput = {
  sftp: SFTPWrapper;
  localPath: string;
  remotePath: string;
  where: string;
  options: UploadOptions;
  /** Closes the SFTP channel; the only way to stop a running fastPut. */
  abortChannel: () => void;
  /**
   * Calls `onClosed` once the SSH connection ends (at once when it already has); returns an unsubscribe.
   * ssh2's fastPut never calls back when the connection drops mid-transfer, so this is what ends it then.
   */
  watchClose: (onClosed: () => void) => () => void;
};

/**
 * Cancelling closes the SFTP channel (not the connection): fastPut then fails its pending writes and closes
 * the local file, and we reject with CANCELLED after that so nothing is left running. A connection that
 * drops (the device died, the network went, someone closed it) rejects with UNREACHABLE at once: fastPut
 * would wait forever for replies that cannot come. The remote file is left partial either way; callers
 * upload to a temporary name and rename.
 */
export async function uploadFile(input: UploadInput): Promise<UploadResult> {
  const { sftp, localPath, remotePath, where, options } = input;
  const total = await localSize(localPath);
  if (options.signal?.aborted) throw cancelled(localPath, where);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let aborted = false;
    let settled = false;
    let sent = 0;
    const settle = (err: AppError | null): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      stopWatching();
      if (err === null) resolve();
      else reject(err);
    };
    const onAbort = (): void => {
      aborted = true;
      input.abortChannel();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let stopWatching: () => void = () => undefined;
    stopWatching = input.watchClose(() => settle(connectionLost(localPath, where, sent, total)));
    if (settled) {
      stopWatching();
      return;
    }
    sftp.fastPut(
      localPath,
      remotePath,
      {
        chunkSize: sftpChunkSize,
        concurrency: sftpConcurrency,
        fileSize: total,
        mode: options.mode,
        step: (transferred: number, _chunk: number, size: number) => {
          sent = transferred;
          if (!settled) options.onProgress?.(transferred, size);
        },
      },
      (err) => {
        if (aborted) settle(cancelled(localPath, where));
        else if (err) settle(remoteFileError(err, remotePath, where, 'write'));
        else settle(null);
      },
    );
  });
  const ms = performance.now() - started;
  return { bytes: total, ms, mbPerSec: total / 1e6 / Math.max(ms / 1000, 1e-6) };
}

/**
 * Flushes a remote file to the device's storage with OpenSSH's `fsync@openssh.com` SFTP extension (the
 * server's fsync(2) on an open handle). Resolves false when the server does not offer the extension, so the
 * caller falls back to `sync FILE` in a shell; rejects only when the server has it and the fsync failed.
 */
export function fsyncRemoteFile(sftp: SFTPWrapper, remotePath: string, where: string): Promise<boolean> {
  const ext = (sftp as SFTPWrapper & { _extensions?: Record<string, string> })._extensions;
  if (ext?.['fsync@openssh.com'] !== '1') return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    sftp.open(remotePath, 'r', (openErr, handle) => {
      if (openErr) {
        reject(remoteFileError(openErr, remotePath, where, 'read'));
        return;
      }
      sftp.ext_openssh_fsync(handle, (syncErr) => {
        sftp.close(handle, () => {
          if (syncErr) reject(remoteFileError(syncErr, remotePath, where, 'write'));
          else resolve(true);
        });
      });
    });
  });
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
