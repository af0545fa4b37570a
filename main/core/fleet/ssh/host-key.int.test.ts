import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKey, sshKeygenFingerprint } from '../../../../test/fixtures/sshd';
import {
  assertFingerprint,
  fingerprintSha256,
  hostKeyInfo,
  keyTypeOf,
  normalizeFingerprint,
  parsePublicKey,
} from './host-key';

const dir = mkdtempSync(join(tmpdir(), 'edgefleet-hostkey-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('host keys', () => {
  it('computes the fingerprint exactly as ssh-keygen -lf prints it', async () => {
    const path = join(dir, 'k1');
    const line = await generateKey(path);
    const pinned = parsePublicKey(line);
    expect(pinned.keyType).toBe('ssh-ed25519');
    expect(pinned.fingerprint).toBe(await sshKeygenFingerprint(`${path}.pub`));
    expect(fingerprintSha256(pinned.blob)).toBe(pinned.fingerprint);
    expect(pinned.fingerprint).not.toContain('=');
    // The pinned form drops the comment but is the same key.
    expect(pinned.publicKey).toBe(line.split(' ').slice(0, 2).join(' '));
    expect(hostKeyInfo(pinned.blob).publicKey).toBe(pinned.publicKey);
  });

  it('reads the key type from the blob', () => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.alloc(36)]);
    expect(keyTypeOf(blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe('unknown');
  });

  it('refuses garbage and private keys as pins', async () => {
    expect(() => parsePublicKey('not a key')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    const path = join(dir, 'k2');
    await generateKey(path);
    expect(() => parsePublicKey(readFileSync(path, 'utf8'))).toThrow(/private key/);
  });

  it('compares fingerprints written in any common form', async () => {
    const pinned = parsePublicKey(await generateKey(join(dir, 'k3')));
    const body = pinned.fingerprint.slice('SHA256:'.length);
    expect(normalizeFingerprint(`${body}=`)).toBe(pinned.fingerprint);
    expect(() => assertFingerprint(pinned, body)).not.toThrow();
    expect(() => assertFingerprint(pinned, 'SHA256:AAAA')).toThrow(
      expect.objectContaining({ code: 'FINGERPRINT_MISMATCH' }),
    );
  });
});
