import type { HostKeyScan } from '../../../../shared/schemas/fleet';

/**
 * The trust dialog's decisions, as data: which presented keys the user may accept, which they accepted,
 * and what to ask main to pin. Main pins only keys whose fingerprint is in the request, so what gets pinned
 * is exactly what the user saw (a key that changed between the scan and the click is refused).
 */

export type ScanRow = HostKeyScan;
type OkScan = Extract<HostKeyScan, { ok: true }>;

export const rowKey = (row: Pick<HostKeyScan, 'deviceId' | 'role'>): string => `${row.deviceId}/${row.role}`;

/** As OpenSSH prints it, without base64 padding: `SHA256:` + 43 characters for SHA-256. */
export function normalizeFingerprint(fingerprint: string): string {
  return `SHA256:${fingerprint
    .trim()
    .replace(/^SHA256:/i, '')
    .replace(/=+$/, '')}`;
}

/**
 * Fingerprints in whatever the user pasted: `ssh-keygen -lf` lines, `ssh-keyscan | ssh-keygen -lf -` output,
 * or bare `SHA256:…` values, one or many.
 */
export function parseFingerprints(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.matchAll(/SHA256:[A-Za-z0-9+/]{20,}={0,2}/gi)) {
    found.add(normalizeFingerprint(match[0]));
  }
  return found;
}

/** What a scanned row means for the user. */
export type Verdict =
  /** Pinned already, and the device still presents that key: nothing to do. */
  | 'trusted'
  /** Not pinned yet. */
  | 'new'
  /** Pinned, but the device presents another key: reinstalled, or someone in the middle. */
  | 'changed'
  /** Reached only through a jump host that is not trusted yet: shown in the next round. */
  | 'waiting'
  /** Could not be scanned (unreachable, timeout …). */
  | 'failed';

export function verdictOf(row: ScanRow): Verdict {
  if (!row.ok) return row.error.code === 'HOST_KEY_UNKNOWN' && row.role === 'device' ? 'waiting' : 'failed';
  return row.pinned === 'same' ? 'trusted' : row.pinned === 'none' ? 'new' : 'changed';
}

/** With expected fingerprints typed, only keys among them can be accepted. */
export function matchesExpected(row: OkScan, expected: ReadonlySet<string>): boolean {
  return expected.size === 0 || expected.has(normalizeFingerprint(row.fingerprint));
}

export function canAccept(row: ScanRow, expected: ReadonlySet<string>): row is OkScan {
  return row.ok && row.pinned !== 'same' && matchesExpected(row, expected);
}

/** New keys are ticked; a changed key never is: replacing a pin must be a deliberate choice. */
export function isAccepted(
  row: ScanRow,
  choices: ReadonlyMap<string, boolean>,
  expected: ReadonlySet<string>,
): row is OkScan {
  if (!canAccept(row, expected)) return false;
  return choices.get(rowKey(row)) ?? row.pinned === 'none';
}

/** Per device, the fingerprints the user saw and accepted: main pins nothing else. */
type TrustRequest = { devices: { ref: string; fingerprints: string[] }[] };

/** The `devices.trust` call for the accepted rows; null when nothing is accepted. */
export function trustRequest(
  rows: readonly ScanRow[],
  choices: ReadonlyMap<string, boolean>,
  expected: ReadonlySet<string>,
): TrustRequest | null {
  const byDevice = new Map<string, Set<string>>();
  for (const row of rows) {
    if (!isAccepted(row, choices, expected)) continue;
    const seen = byDevice.get(row.deviceId) ?? new Set<string>();
    seen.add(row.fingerprint);
    byDevice.set(row.deviceId, seen);
  }
  if (byDevice.size === 0) return null;
  return { devices: [...byDevice].map(([ref, seen]) => ({ ref, fingerprints: [...seen] })) };
}

/** Devices whose own key could not be shown because their jump host is not trusted yet. */
export function waitingDevices(rows: readonly ScanRow[]): string[] {
  return [...new Set(rows.filter((r) => verdictOf(r) === 'waiting').map((r) => r.deviceId))];
}

/** Devices already trusted as they are (their own key and any jump host key unchanged). */
export function alreadyTrusted(rows: readonly ScanRow[]): string[] {
  const byDevice = new Map<string, ScanRow[]>();
  for (const r of rows) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
  return [...byDevice].filter(([, list]) => list.every((r) => verdictOf(r) === 'trusted')).map(([id]) => id);
}
