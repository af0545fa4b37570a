import { AppError } from '../../../../shared/errors';
import type { HostKeyInfo } from './host-key';

type Ssh2Error = Error & { level?: string; code?: string; reason?: number | string };

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

/** What ssh2 reported while connecting, turned into a code the UI can act on. */
export function mapConnectError(err: unknown, where: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as Ssh2Error;
  if (e.level === 'client-authentication') {
    return new AppError(
      'AUTH_FAILED',
      `${where} rejected the credentials (${e.message}). Check the user name and that the key is in the device's authorized_keys.`,
      { reason: 'rejected' },
    );
  }
  if (e.code !== undefined && unreachableCodes.has(e.code)) {
    const why =
      e.code === 'ECONNREFUSED'
        ? 'nothing listens on that port'
        : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
          ? 'the host name does not resolve'
          : e.code === 'ECONNRESET' || e.code === 'EPIPE'
            ? 'the connection was reset'
            : 'no route to the host';
    return new AppError(
      'UNREACHABLE',
      `Cannot reach ${where}: ${why} (${e.code}). Check the address, the port and that sshd runs on the device.`,
      { code: e.code },
    );
  }
  return new AppError(
    'UNREACHABLE',
    `SSH connection to ${where} failed: ${e.message ?? String(err)}. Check that the port is an SSH server.`,
    { cause: e.message ?? String(err) },
  );
}

export function hostKeyUnknown(where: string, presented: HostKeyInfo): AppError {
  return new AppError(
    'HOST_KEY_UNKNOWN',
    `${where} is not trusted yet: it presents ${presented.keyType} key ${presented.fingerprint}. Compare it with the device's key and trust it to connect.`,
    { fingerprint: presented.fingerprint, keyType: presented.keyType, publicKey: presented.publicKey },
  );
}

export function hostKeyMismatch(where: string, expected: HostKeyInfo, presented: HostKeyInfo): AppError {
  return new AppError(
    'HOST_KEY_MISMATCH',
    `${where} presented host key ${presented.fingerprint}, but ${expected.fingerprint} is pinned. Nothing was sent. If the device was reinstalled, verify the new key and trust it again; otherwise someone may be intercepting the connection.`,
    {
      expected: expected.fingerprint,
      presented: presented.fingerprint,
      presentedKeyType: presented.keyType,
      presentedPublicKey: presented.publicKey,
    },
  );
}

export function connectTimeout(where: string, connectMs: number, tcpConnected: boolean): AppError {
  // Two different situations behind one timer: no TCP answer at all (host down, firewall dropping packets)
  // is "unreachable"; a server that took the TCP connection but never finished SSH is a "timeout".
  if (!tcpConnected) {
    return new AppError(
      'UNREACHABLE',
      `${where} did not answer within ${connectMs / 1000} s. Check that the device is on and the address is right.`,
      { timeoutMs: connectMs, phase: 'tcp' },
    );
  }
  return new AppError(
    'TIMEOUT',
    `${where} accepted the connection but did not complete SSH within ${connectMs / 1000} s. The device may be overloaded, or the port is not SSH.`,
    { timeoutMs: connectMs, phase: 'ssh' },
  );
}
