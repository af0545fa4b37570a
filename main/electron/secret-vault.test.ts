import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/fixtures/temp-dir';
import { SecretVault, type SafeStorageApi } from './secret-vault';

/** safeStorage's contract with a real cipher (AES-256-GCM under a per-"OS user" key) instead of the OS store. */
function keyStore(options: { available?: boolean; backend?: string; key?: Buffer } = {}): SafeStorageApi {
  const key = options.key ?? randomBytes(32);
  return {
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptString(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(encrypted) {
      const d = createDecipheriv('aes-256-gcm', key, encrypted.subarray(0, 12));
      d.setAuthTag(encrypted.subarray(12, 28));
      return Buffer.concat([d.update(encrypted.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const password = { kind: 'password', deviceId: 'dev-1' } as const;
const passphrase = { kind: 'passphrase', keyPath: '/home/u/.ssh/id_ed25519' } as const;

describe('SecretVault', () => {
  it('keeps a secret given without "remember" in memory only', () => {
    const file = join(tempDir(), 'secrets.json');
    const vault = new SecretVault(file, keyStore());
    vault.set(password, 'hunter2');
    expect(vault.get(password)).toBe('hunter2');
    expect(existsSync(file)).toBe(false);
    expect(new SecretVault(file, keyStore()).get(password)).toBeUndefined();
  });

  it('remembers a ticked secret encrypted, owner-only, and reads it back in a later session', () => {
    const file = join(tempDir(), 'secrets.json');
    const store = keyStore();
    expect(new SecretVault(file, store).remember(passphrase, 'correct horse battery')).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('correct horse');
    expect(text).not.toContain(Buffer.from('correct horse battery').toString('base64'));
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(new SecretVault(file, store).get(passphrase)).toBe('correct horse battery');
  });

  it('remembers nothing where only Chromium’s hard-coded key (basic_text) or no key store exists', () => {
    for (const store of [keyStore({ backend: 'basic_text' }), keyStore({ available: false })]) {
      const file = join(tempDir(), 'secrets.json');
      const vault = new SecretVault(file, store);
      expect(vault.canRemember()).toBe(false);
      expect(vault.remember(password, 'hunter2')).toBe(false);
      expect(vault.get(password)).toBe('hunter2');
      expect(existsSync(file)).toBe(false);
    }
  });

  it('forgets a deleted secret on disk too, and drops the file when empty', () => {
    const file = join(tempDir(), 'secrets.json');
    const store = keyStore();
    const vault = new SecretVault(file, store);
    vault.remember(password, 'hunter2');
    vault.remember(passphrase, 'pp');
    vault.delete(password);
    expect(new SecretVault(file, store).get(password)).toBeUndefined();
    expect(new SecretVault(file, store).get(passphrase)).toBe('pp');
    vault.delete(passphrase);
    expect(existsSync(file)).toBe(false);
  });

  it('treats a vault from another key (or a damaged file) as empty', () => {
    const file = join(tempDir(), 'secrets.json');
    new SecretVault(file, keyStore()).remember(password, 'hunter2');
    expect(new SecretVault(file, keyStore()).get(password)).toBeUndefined();
    writeFileSync(file, '{not json');
    expect(new SecretVault(file, keyStore()).get(password)).toBeUndefined();
  });
});
