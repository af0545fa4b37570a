import type { Duplex } from 'node:stream';
import type { ClientChannel, Client, SFTPWrapper } from 'ssh2';
import { AppError } from '../../../../shared/errors';
import { loadAuth, type KeyCache } from './client-auth';
import { hostKeyMismatch, hostKeyUnknown } from './connect-errors';
import type { ExecCommand, ExecOptions, ExecResult } from './exec';
import { runExec } from './exec';
import { hostKeyInfoOnly, openClient } from './handshake';
import type { HostKeyInfo } from './host-key';
import { parsePublicKey } from './host-key';
import type { UploadOptions, UploadResult } from './sftp-transfer';
import { readRemoteFile, uploadFile } from './sftp-transfer';
import type { SshTarget } from './ssh-target';
import { defaultCommandMs, defaultConnectMs, describeTarget } from './ssh-target';

/**
 * An open, authenticated SSH session to one device, and the ways to get one: `connect` (pinned host key
 * required) and `scanHostKey` (learn the key for the trust flow). ssh2 itself is driven in handshake.ts.
 */

const closeGraceMs = 2_000;

export type ConnectOptions = {
  signal?: AbortSignal;
  /** An open connection to `target.jump` to tunnel through (a pool shares it); otherwise one is opened and owned. */
  jumpConnection?: SshConnection;
  /** Keys read for earlier connections (a pool's): see KeyCache. */
  keys?: KeyCache;
};

export class SshConnection {
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private isClosed = false;
  private readonly closeListeners = new Set<() => void>();
  private corked = false;

  /** @internal Created by `connect`. */
  constructor(
    private readonly client: Client,
    readonly target: SshTarget,
    readonly hostKey: HostKeyInfo,
    /** How long TCP + key exchange + authentication took, in ms. */
    readonly connectLatencyMs: number,
    private readonly ownedJump: SshConnection | undefined,
    /** The TCP socket (or jump-host channel) the SSH connection runs over. */
    private readonly transport: Duplex,
  ) {
    client.on('close', () => {
      this.isClosed = true;
      for (const listener of this.closeListeners) listener();
      void this.ownedJump?.close();
    });
  }

  get where(): string {
    return describeTarget(this.target);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Called once when the connection ends, whoever ended it. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async exec(cmd: ExecCommand, options: ExecOptions = {}): Promise<ExecResult> {
    this.assertOpen();
    return runExec({
      client: this.client,
      cmd,
      where: this.where,
      timeoutMs: options.timeoutMs ?? this.target.timeouts?.commandMs ?? defaultCommandMs,
      signal: options.signal,
      stdin: options.stdin,
      check: options.check,
      maxOutputBytes: options.maxOutputBytes,
    });
  }

  /** One SFTP session per connection, opened on first use. */
  async sftp(): Promise<SFTPWrapper> {
    this.assertOpen();
    if (this.sftpSession === undefined) {
      const session = new Promise<SFTPWrapper>((resolve, reject) => {
        this.client.sftp((err, sftp) => {
          if (err) {
            reject(
              new AppError(
                'REMOTE_COMMAND_FAILED',
                `${this.where} refused an SFTP session (${err.message}). Enable the sftp subsystem in sshd_config.`,
              ),
            );
            return;
          }
          sftp.on('error', () => undefined);
          // A closed session (cancelled upload, server side) is not reused.
          sftp.on('close', () => {
            if (this.sftpSession === session) this.sftpSession = undefined;
          });
          resolve(sftp);
        });
      });
      session.catch(() => {
        if (this.sftpSession === session) this.sftpSession = undefined;
      });
      this.sftpSession = session;
    }
    return this.sftpSession;
  }

  async upload(localPath: string, remotePath: string, options: UploadOptions = {}): Promise<UploadResult> {
    const sftp = await this.sftp();
    const session = this.sftpSession;
    return uploadFile({
      sftp,
      localPath,
      remotePath,
      where: this.where,
      options,
      batchWrites: () => this.corkUntilNextTick(),
      abortChannel: () => {
        if (this.sftpSession === session) this.sftpSession = undefined;
        sftp.end();
      },
      watchClose: (onClosed) => {
        if (this.isClosed) {
          onClosed();
          return () => undefined;
        }
        return this.onClose(onClosed);
      },
    });
  }

  /**
   * Holds the packets written in this tick and sends them in one system call at the next: a window of SFTP
   * writes becomes one socket write instead of one per 32 KiB packet.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.transport.cork();
    process.nextTick(() => {
      this.corked = false;
      this.transport.uncork();
    });
  }

  async readFile(remotePath: string): Promise<Buffer> {
    return readRemoteFile(await this.sftp(), remotePath, this.where);
  }

  /** A TCP connection from the remote host to host:port (for jump hosts). */
  async forwardOut(host: string, port: number): Promise<ClientChannel> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        if (err) {
          reject(
            new AppError(
              'UNREACHABLE',
              `Jump host ${this.where} could not connect to ${host}:${port} (${err.message}). Check the address and that the jump host may reach it (AllowTcpForwarding).`,
            ),
          );
        } else resolve(channel);
      });
    });
  }

  /** Ends the session politely; forces the socket closed if the server does not answer in time. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, closeGraceMs);
      this.onClose(() => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
    await this.ownedJump?.close();
  }

  private assertOpen(): void {
    if (this.isClosed) {
      throw new AppError('UNREACHABLE', `The connection to ${this.where} is closed. Reconnect and retry.`);
    }
  }
}

export async function connect(target: SshTarget, options: ConnectOptions = {}): Promise<SshConnection> {
  const where = describeTarget(target);
  throwIfAborted(options.signal, `Connecting to ${where} was cancelled.`);
  validatePort(target.port, where);
  // Parse the pin and the credentials first: mistakes there are reported without touching the network.
  const pinned = target.pinnedHostKey === null ? null : parsePublicKey(target.pinnedHostKey);
  // The key is read under the connect deadline and the cancel signal: a FIFO or a slow mount never hangs a job.
  const auth = await loadAuth(
    target,
    {
      signal: options.signal,
      deadline: performance.now() + (target.timeouts?.connectMs ?? defaultConnectMs),
    },
    options.keys,
  );

  let ownedJump: SshConnection | undefined;
  let jump = options.jumpConnection;
  if (target.jump !== undefined && jump === undefined) {
    ownedJump = await connect(target.jump, { signal: options.signal, keys: options.keys });
    jump = ownedJump;
  }
  try {
    const started = performance.now();
    const { client, hostKey, sock } = await openClient({
      host: target.host,
      port: target.port,
      username: target.username,
      where,
      auth,
      connectMs: target.timeouts?.connectMs ?? defaultConnectMs,
      signal: options.signal,
      jump,
      verify: (presented) => {
        if (pinned === null) return { accept: false, error: hostKeyUnknown(where, presented) };
        if (!presented.blob.equals(pinned.blob)) {
          return { accept: false, error: hostKeyMismatch(where, pinned, presented) };
        }
        return { accept: true };
      },
      pinned,
    });
    return new SshConnection(client, target, hostKey, performance.now() - started, ownedJump, sock);
  } catch (err) {
    await ownedJump?.close();
    throw err;
  }
}

export type ScanOptions = { timeoutMs?: number; signal?: AbortSignal; jump?: SshConnection };

/**
 * Learns the key a host presents, for the trust flow. The verifier records the key and refuses it, so the
 * session ends during key exchange: no authentication is attempted and nothing runs on the host.
 */
export async function scanHostKey(
  host: string,
  port: number,
  options: ScanOptions = {},
): Promise<HostKeyInfo> {
  const where = `${host}:${port}`;
  throwIfAborted(options.signal, `Scanning ${where} was cancelled.`);
  validatePort(port, where);
  let seen: HostKeyInfo | undefined;
  const sentinel = new AppError('INTERNAL', 'host key captured');
  try {
    const { client } = await openClient({
      host,
      port,
      username: 'edgefleet-host-key-scan',
      where,
      auth: {},
      connectMs: options.timeoutMs ?? defaultConnectMs,
      signal: options.signal,
      jump: options.jump,
      verify: (presented) => {
        seen = presented;
        return { accept: false, error: sentinel };
      },
      pinned: null,
    });
    // Unreachable in practice (the verifier refuses every key); never leave a session open.
    client.end();
  } catch (err) {
    if (err === sentinel && seen !== undefined) return hostKeyInfoOnly(seen);
    throw err;
  }
  throw new AppError('INTERNAL', `Scanning ${where} finished without seeing a host key.`);
}

function validatePort(port: number, where: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new AppError('BAD_REQUEST', `${where}: port must be a number from 1 to 65535.`);
  }
}

function throwIfAborted(signal: AbortSignal | undefined, message: string): void {
  if (signal?.aborted) throw new AppError('CANCELLED', message);
}
