import { createHash } from 'node:crypto';
// ssh2 is CommonJS: Node only detects some named exports (not `utils`), so go through the default export.
import ssh2 from 'ssh2';
import { AppError } from '../../../../shared/errors';

/** What a user needs to decide whether to trust a host, and what gets pinned once they do. */
export type HostKeyInfo = {
  /** `SHA256:…` exactly as `ssh-keygen -lf` and `ssh` print it. */
  fingerprint: string;
  /** Wire type name, e.g. `ssh-ed25519`. */
  keyType: string;
  /** OpenSSH public-key line (`ssh-ed25519 AAAA…`): the value to store as `pinnedHostKey`. */
  publicKey: string;
};

/** OpenSSH's format: base64 of the SHA-256 of the wire-format key blob, without `=` padding. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The blob starts with the key type as an SSH string (uint32 length + bytes). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export function hostKeyInfo(keyBlob: Buffer): HostKeyInfo {
  const keyType = keyTypeOf(keyBlob);
  return {
    fingerprint: fingerprintSha256(keyBlob),
    keyType,
    publicKey: `${keyType} ${keyBlob.toString('base64')}`,
  };
}

export type PinnedKey = HostKeyInfo & { blob: Buffer };

/** Parses a pinned `ssh-ed25519 AAAA… [comment]` line; a private key or garbage is refused with a hint. */
export function parsePublicKey(line: string): PinnedKey {
  const key = ssh2.utils.parseKey(line.trim());
  if (key instanceof Error) {
    throw new AppError(
      'BAD_REQUEST',
      `The pinned host key is not an OpenSSH public key line (${key.message}). Expected something like "ssh-ed25519 AAAA…"; scan the host again to get it.`,
    );
  }
  if (key.isPrivateKey()) {
    throw new AppError(
      'BAD_REQUEST',
      'The pinned host key is a private key. Pin the public key line (the .pub file or the scanned key) instead.',
    );
  }
  const blob = key.getPublicSSH();
  return { ...hostKeyInfo(blob), blob };
}

/** Accepts `SHA256:abc`, `abc` and padded `abc=` so a fingerprint pasted from any tool compares equal. */
export function normalizeFingerprint(fingerprint: string): string {
  const body = fingerprint
    .trim()
    .replace(/^SHA256:/i, '')
    .replace(/=+$/, '');
  return `SHA256:${body}`;
}

/**
 * The trust flow: the user approved `expectedFingerprint` (shown from a scan); before pinning, the freshly
 * presented key must still be that one, otherwise someone may be in the middle.
 */
export function assertFingerprint(presented: HostKeyInfo, expectedFingerprint: string): void {
  const expected = normalizeFingerprint(expectedFingerprint);
  if (presented.fingerprint !== expected) {
    throw new AppError(
      'FINGERPRINT_MISMATCH',
      `The host presented key ${presented.fingerprint}, not the ${expected} you approved. Do not trust it until you have checked the device's key (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the device).`,
      { expected, presented: presented.fingerprint },
    );
  }
}

/**
 * Signature algorithms to offer first for a pinned key type, so a server with several host keys presents
 * the pinned one (as OpenSSH does with known_hosts) instead of a different one that would look like a
 * mismatch.
 */
export function hostKeyAlgorithmsFor(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [keyType];
}
