import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectConfig, ServerHostKeyAlgorithm } from 'ssh2';
import { Client } from 'ssh2';
import { AppError } from '../../../../shared/errors';
import type { AuthConfig } from './client-auth';
import { connectTimeout, mapConnectError } from './connect-errors';
import type { HostKeyInfo, PinnedKey } from './host-key';
import { hostKeyAlgorithmsFor, hostKeyInfo } from './host-key';

/**
 * The one place that creates ssh2 clients. The host key is judged by `verify` during key exchange, i.e.
 * before authentication: a wrong or unknown key means no credentials are offered and nothing runs.
 */

const keepaliveIntervalMs = 15_000;
const keepaliveCountMax = 4;

// ssh2's default server host key list (lib/protocol/constants.js), used to put the pinned type first.
const knownHostKeyAlgorithms: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

export type Verdict = { accept: true } | { accept: false; error: AppError };

type OpenClientInput = {
  host: string;
  port: number;
  username: string;
  where: string;
  auth: AuthConfig;
  connectMs: number;
  signal: AbortSignal | undefined;
  /** An open jump connection (see SshConnection.forwardOut). */
  jump: { forwardOut(host: string, port: number): Promise<Duplex> } | undefined;
  verify: (presented: HostKeyInfo & { blob: Buffer }) => Verdict;
  pinned: PinnedKey | null;
};

/**
 * TCP (or a channel on the jump host) + SSH handshake + auth under one deadline. Our own timer instead of
 * ssh2's readyTimeout, because it must also cover the TCP connect and the jump channel, and tell "no TCP
 * answer" (UNREACHABLE) from "TCP but no SSH" (TIMEOUT).
 */
export async function openClient(
  input: OpenClientInput,
): Promise<{ client: Client; hostKey: HostKeyInfo; sock: Duplex }> {
  const { where, connectMs, signal } = input;
  const client = new Client();
  let tcpConnected = false;
  let verdict: Verdict | undefined;
  let presented: HostKeyInfo | undefined;
  let cleanup = (): void => undefined;
  let transport: Duplex | undefined;

  const outcome = new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: AppError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      if (error === undefined) {
        resolve();
        return;
      }
      client.destroy();
      reject(error);
    };
    const timer = setTimeout(() => finish(connectTimeout(where, connectMs, tcpConnected)), connectMs);
    const onAbort = (): void => finish(new AppError('CANCELLED', `Connecting to ${where} was cancelled.`));
    signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    // A rejected host key surfaces as some ssh2 error; the verdict says what really happened.
    const failure = (err: unknown): AppError =>
      verdict !== undefined && !verdict.accept ? verdict.error : mapConnectError(err, where);
    client.on('ready', () => finish());
    client.on('error', (err) => finish(failure(err)));
    client.on('close', () =>
      finish(
        failure(
          new Error(
            presented === undefined
              ? 'the server closed the connection before key exchange (MaxStartups, or not an SSH server)'
              : 'the server closed the connection during authentication',
          ),
        ),
      ),
    );
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, answer) => {
      const password = input.auth.password;
      answer(password === undefined ? [] : prompts.map(() => password));
    });

    const startSsh = (sock: Duplex): void => {
      transport = sock;
      const config: ConnectConfig = {
        sock,
        username: input.username,
        ...input.auth,
        readyTimeout: 0,
        keepaliveInterval: keepaliveIntervalMs,
        keepaliveCountMax,
        hostVerifier: (blob: Buffer): boolean => {
          const info = { ...hostKeyInfo(blob), blob };
          presented = info;
          verdict = input.verify(info);
          return verdict.accept;
        },
        ...(input.pinned === null
          ? {}
          : { algorithms: { serverHostKey: preferredHostKeyAlgorithms(input.pinned) } }),
      };
      try {
        client.connect(config);
      } catch (err) {
        finish(mapConnectError(err, where));
      }
    };

    if (input.jump !== undefined) {
      input.jump.forwardOut(input.host, input.port).then(
        (channel) => {
          // The jump host's TCP connection to the device is up once the channel opens.
          tcpConnected = true;
          if (settled) channel.destroy();
          else startSsh(channel);
        },
        (err: unknown) => finish(mapConnectError(err, where)),
      );
    } else {
      // noDelay (TCP_NODELAY): a piped SFTP write stream ran at 1.7 MiB/s without it (SETUP-NOTES).
      const sock = netConnect({ host: input.host, port: input.port, noDelay: true });
      sock.once('connect', () => {
        tcpConnected = true;
      });
      startSsh(sock);
    }
  });

  await outcome;
  // After the handshake errors no longer reject anything; keep a listener so ssh2 never throws them.
  for (const event of ['error', 'ready', 'close', 'keyboard-interactive'] as const)
    client.removeAllListeners(event);
  client.on('error', () => undefined);
  if (presented === undefined || transport === undefined) {
    throw new AppError('INTERNAL', `${where} authenticated without a host key.`);
  }
  return { client, hostKey: hostKeyInfoOnly(presented), sock: transport };
}

function preferredHostKeyAlgorithms(pinned: PinnedKey): ServerHostKeyAlgorithm[] {
  const first = knownHostKeyAlgorithms.filter((a) => hostKeyAlgorithmsFor(pinned.keyType).includes(a));
  return [...first, ...knownHostKeyAlgorithms.filter((a) => !first.includes(a))];
}

export function hostKeyInfoOnly(key: HostKeyInfo): HostKeyInfo {
  return { fingerprint: key.fingerprint, keyType: key.keyType, publicKey: key.publicKey };
}
