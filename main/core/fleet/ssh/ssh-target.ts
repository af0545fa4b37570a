import { createHash } from 'node:crypto';

export type SshAuth =
  | { kind: 'key'; privateKeyPath: string; passphrase?: string }
  /** `socket` defaults to SSH_AUTH_SOCK. */
  | { kind: 'agent'; socket?: string }
  | { kind: 'password'; password: string };

export type SshTimeouts = {
  /** TCP connect + SSH handshake + authentication. Default 10 s. */
  connectMs?: number;
  /** Default for each `exec`. Default 120 s. */
  commandMs?: number;
};

export type SshTarget = {
  host: string;
  port: number;
  username: string;
  auth: SshAuth;
  /** Reached through this host (OpenSSH's ProxyJump): a direct-tcpip channel on the jump connection. */
  jump?: SshTarget;
  /** OpenSSH public-key line the host must present; null means "not trusted yet" (connect refuses). */
  pinnedHostKey: string | null;
  timeouts?: SshTimeouts;
};

export const defaultConnectMs = 10_000;
export const defaultCommandMs = 120_000;

/** `user@host:port`, with the jump chain, for messages. */
export function describeTarget(target: SshTarget): string {
  const self = `${target.username}@${formatHost(target.host)}:${target.port}`;
  return target.jump === undefined ? self : `${self} via ${describeTarget(target.jump)}`;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Identity for pooling: same endpoint, user, credentials and pinned key → one connection may serve both.
 * Secrets are hashed so the key never holds them in clear.
 */
export function targetKey(target: SshTarget): string {
  const auth = target.auth;
  const credential =
    auth.kind === 'key'
      ? `key:${auth.privateKeyPath}:${digest(auth.passphrase ?? '')}`
      : auth.kind === 'agent'
        ? `agent:${auth.socket ?? ''}`
        : `password:${digest(auth.password)}`;
  const jump = target.jump === undefined ? '' : ` via (${targetKey(target.jump)})`;
  return `${target.username}@${formatHost(target.host)}:${target.port} ${credential} ${target.pinnedHostKey ?? '-'}${jump}`;
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}
