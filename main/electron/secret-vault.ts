import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { SecretRef, SecretStore } from '../core/fleet/devices';

/** The parts of Electron's `safeStorage` the vault needs (injected, so this is testable without Electron). */
export type SafeStorageApi = {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which secret store backs the key ('basic_text' = a key hard-coded in Chromium). */
  getSelectedStorageBackend?(): string;
};

const fileSchema = z.object({
  version: z.literal(1),
  /** Base64 of safeStorage ciphertext, by secret key ("password:<deviceId>", "passphrase:<keyPath>"). */
  secrets: z.record(z.string(), z.string()),
});

function keyOf(ref: SecretRef): string {
  return ref.kind === 'password' ? `password:${ref.deviceId}` : `passphrase:${ref.keyPath}`;
}

/**
 * The desktop app's secret store. A secret given at use is kept in memory for the session, like the CLI's.
 * Only when the user ticks "remember" is it also written to disk — encrypted with `safeStorage` (Keychain,
 * DPAPI, or the Secret Service / KWallet on Linux), never in plain text. Where no real OS key store is
 * available (or Linux falls back to Chromium's hard-coded 'basic_text' key, which is obfuscation, not
 * encryption) nothing is remembered and `remember` says so.
 */
export class SecretVault implements SecretStore {
  private readonly session = new Map<string, string>();
  private stored: Record<string, string>;

  constructor(
    private readonly file: string,
    private readonly safe: SafeStorageApi,
  ) {
    this.stored = readVault(file);
  }

  /** Whether `remember` can keep secrets encrypted on this machine. */
  canRemember(): boolean {
    if (!this.safe.isEncryptionAvailable()) return false;
    return this.safe.getSelectedStorageBackend?.() !== 'basic_text';
  }

  get(ref: SecretRef): string | undefined {
    const key = keyOf(ref);
    const inSession = this.session.get(key);
    if (inSession !== undefined) return inSession;
    const encrypted = this.stored[key];
    if (encrypted === undefined || !this.safe.isEncryptionAvailable()) return undefined;
    try {
      const secret = this.safe.decryptString(Buffer.from(encrypted, 'base64'));
      this.session.set(key, secret);
      return secret;
    } catch {
      // Encrypted under another OS user or key store: as if never remembered; asked again at use.
      return undefined;
    }
  }

  /** For this session only. */
  set(ref: SecretRef, secret: string): void {
    this.session.set(keyOf(ref), secret);
  }

  /** For this session, and encrypted on disk for later ones when possible; returns whether it was stored. */
  remember(ref: SecretRef, secret: string): boolean {
    this.set(ref, secret);
    if (!this.canRemember()) return false;
    const encrypted = this.safe.encryptString(secret).toString('base64');
    this.write({ ...this.stored, [keyOf(ref)]: encrypted });
    return true;
  }

  /** A secret that failed (wrong password) or a device removed: gone from the session and the disk. */
  delete(ref: SecretRef): void {
    const key = keyOf(ref);
    this.session.delete(key);
    if (key in this.stored) {
      const { [key]: _removed, ...rest } = this.stored;
      this.write(rest);
    }
  }

  private write(secrets: Record<string, string>): void {
    if (Object.keys(secrets).length === 0) {
      rmSync(this.file, { force: true });
    } else {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ version: 1, secrets })}\n`, { mode: 0o600 });
      renameSync(tmp, this.file);
    }
    this.stored = secrets;
  }
}

function readVault(file: string): Record<string, string> {
  try {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data.secrets : {};
  } catch {
    return {};
  }
}
