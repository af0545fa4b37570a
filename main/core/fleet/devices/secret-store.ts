/**
 * Device passwords and key passphrases are never written to the database. Whoever runs the services
 * supplies a store: the CLI and the web console keep secrets in memory for the process (asked at use);
 * the Electron shell backs the same interface with safeStorage (main/electron/secret-vault.ts), which also
 * remembers a password or passphrase across sessions — encrypted, and only when the user ticks it.
 */
export type SecretRef =
  | { kind: 'password'; deviceId: string }
  /** Keyed by the key file, so one passphrase unlocks every device that uses that key. */
  | { kind: 'passphrase'; keyPath: string };

export type SecretStore = {
  get(ref: SecretRef): string | undefined;
  set(ref: SecretRef, secret: string): void;
  delete(ref: SecretRef): void;
  /** Also keep it for later sessions, encrypted (the desktop app's SecretVault); returns whether it did. */
  remember?(ref: SecretRef, secret: string): boolean;
};

function keyOf(ref: SecretRef): string {
  return ref.kind === 'password' ? `password:${ref.deviceId}` : `passphrase:${ref.keyPath}`;
}

export class MemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, string>();

  get(ref: SecretRef): string | undefined {
    return this.secrets.get(keyOf(ref));
  }

  set(ref: SecretRef, secret: string): void {
    this.secrets.set(keyOf(ref), secret);
  }

  delete(ref: SecretRef): void {
    this.secrets.delete(keyOf(ref));
  }

  clear(): void {
    this.secrets.clear();
  }
}
