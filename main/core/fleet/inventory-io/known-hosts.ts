import { createHmac } from 'node:crypto';
import type { AppError } from '../../../../shared/errors';
import { parsePublicKey } from '../ssh';
import type { ExportDevice, HostKeyRecord } from './inventory-record';
import { rejectedRow, skippedRow } from './inventory-record';
import type { ImportRow } from '../../../../shared/schemas/fleet';

/**
 * OpenSSH known_hosts: `hosts keytype base64 [comment]`, hosts comma-separated as `name`, `[name]:port`, or
 * hashed (`|1|salt|hmac`, HashKnownHosts). A hashed entry hides its host, so it can only be matched
 * against endpoints we already know: the devices' host:port.
 */

export type ParsedKnownHosts = { entries: HostKeyRecord[]; rows: ImportRow[] };

export function parseKnownHosts(text: string): ParsedKnownHosts {
  const entries: HostKeyRecord[] = [];
  const rows: ImportRow[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    if (fields[0]?.startsWith('@') === true) {
      rows.push(
        skippedRow(
          line,
          null,
          `${fields[0]} lines (certificate authorities, revoked keys) are not device keys.`,
        ),
      );
      return;
    }
    const [hosts, keyType, blob] = fields;
    if (hosts === undefined || keyType === undefined || blob === undefined) {
      rows.push(rejectedRow(line, null, 'Expected "host keytype base64-key" on this line.'));
      return;
    }
    let publicKey: string;
    try {
      publicKey = parsePublicKey(`${keyType} ${blob}`).publicKey;
    } catch (err) {
      rows.push(
        rejectedRow(line, hosts, `The key is not a valid OpenSSH public key (${(err as AppError).message})`),
      );
      return;
    }
    entries.push({ line, patterns: hosts.split(','), publicKey });
  });
  return { entries, rows };
}

/** How OpenSSH writes an endpoint in known_hosts: the bare host on port 22, else `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hashedMatches(pattern: string, name: string): boolean {
  const m = /^\|1\|([^|]+)\|([^|]+)$/.exec(pattern);
  if (m === null) return false;
  const salt = Buffer.from(m[1] ?? '', 'base64');
  const expected = m[2] ?? '';
  return createHmac('sha1', salt).update(name).digest('base64') === expected;
}

function isWildcardPattern(pattern: string): boolean {
  return /[*?!]/.test(pattern) && !pattern.startsWith('|');
}

/** Whether any of the entry's patterns names host:port (plain names compare without regard to case). */
export function entryMatches(entry: HostKeyRecord, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  return entry.patterns.some((p) => {
    if (p.startsWith('|')) return hashedMatches(p, name);
    if (isWildcardPattern(p)) return false;
    const lower = p.toLowerCase();
    return lower === name.toLowerCase() || (port === 22 && lower === `[${host.toLowerCase()}]:22`);
  });
}

export function exportKnownHosts(
  devices: readonly ExportDevice[],
  jumpEndpoints: (d: ExportDevice) => { host: string; port: number } | null,
): string {
  const lines = new Map<string, string[]>();
  const add = (host: string, port: number, key: string, name: string) => {
    const line = `${knownHostsName(host, port)} ${key}`;
    lines.set(line, [...(lines.get(line) ?? []), name]);
  };
  for (const d of devices) {
    if (d.hostKey !== null) add(d.host, d.port, d.hostKey.publicKey, d.name);
    const jump = jumpEndpoints(d);
    if (jump !== null && d.jumpHostKey !== null)
      add(jump.host, jump.port, d.jumpHostKey.publicKey, `${d.name} (jump)`);
  }
  const out = ['# EdgeFleet pinned host keys (known_hosts)'];
  for (const [line, names] of lines) out.push(`${line} edgefleet:${names.join(',').replace(/\s+/g, '_')}`);
  return `${out.join('\n')}\n`;
}
