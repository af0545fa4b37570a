import { basename, extname } from 'node:path';
import { AppError } from '../../../../shared/errors';
import type { ExportFormat, ImportFormat } from '../../../../shared/schemas/fleet';
import { exportAnsibleIni, parseAnsibleIni } from './ansible-ini';
import { exportAnsibleYaml, parseAnsibleYaml } from './ansible-yaml';
import { exportCsv, parseCsvInventory } from './csv-format';
import type { ExportDevice, ParsedInventory } from './inventory-record';
import { exportKnownHosts } from './known-hosts';
import { exportSshConfig, parseSshConfig } from './ssh-config-format';

const keyLine = /^\S+\s+(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+)\s+AAAA/;

/**
 * The format of an inventory file: by its name first (`.csv`, `.ini`, `.yml`, `known_hosts`, `config`), else
 * by what its first meaningful lines look like. Undecidable → ask for --format, never guess silently.
 */
export function inferFormat(path: string, text: string): ImportFormat {
  const name = basename(path).toLowerCase();
  const ext = extname(name);
  if (ext === '.csv') return 'csv';
  if (ext === '.ini' || ext === '.cfg') return 'ansible-ini';
  if (ext === '.yml' || ext === '.yaml') return 'ansible-yaml';
  if (name.startsWith('known_hosts')) return 'known-hosts';
  if (name === 'config' || name === 'ssh_config' || name.endsWith('.conf')) return 'ssh-config';

  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';'));
  const head = lines.slice(0, 20);
  if (head.length === 0) {
    throw new AppError('BAD_REQUEST', `${path} is empty (or only comments): nothing to import.`);
  }
  if (head.some((l) => keyLine.test(l) || l.startsWith('@cert-authority') || l.startsWith('@revoked')))
    return 'known-hosts';
  if (head.some((l) => /^(host|match|hostname)(\s|=)/i.test(l))) return 'ssh-config';
  const first = head[0] ?? '';
  if (/(^|,)\s*"?name"?\s*(,|$)/i.test(first) && first.includes(',')) return 'csv';
  if (
    head.some((l) => /^[\w.-]+:\s*$/.test(l) || /^[\w.-]+:\s+\S/.test(l)) &&
    !head.some((l) => l.startsWith('['))
  )
    return 'ansible-yaml';
  if (head.some((l) => /^\[[^\]]+\]$/.test(l) || /^\S+\s+ansible_\w+=/.test(l))) return 'ansible-ini';
  throw new AppError(
    'BAD_REQUEST',
    `Cannot tell the format of ${path}. Give it: --format csv|ansible-ini|ansible-yaml|ssh-config|known-hosts.`,
  );
}

/** Device records of every format but known_hosts (which holds keys, not devices). */
export function parseInventory(format: Exclude<ImportFormat, 'known-hosts'>, text: string): ParsedInventory {
  switch (format) {
    case 'csv':
      return parseCsvInventory(text);
    case 'ansible-ini':
      return parseAnsibleIni(text);
    case 'ansible-yaml':
      return parseAnsibleYaml(text);
    case 'ssh-config':
      return parseSshConfig(text);
  }
}

export type ExportContext = {
  /** A jump device's endpoint as user@host:port, for Ansible's ProxyJump; null when the name is no device. */
  jumpEndpoint(name: string): string | null;
  /** Where a device's ad-hoc jump host is, for its pinned key in known_hosts. */
  adhocJump(device: ExportDevice): { host: string; port: number } | null;
};

export function exportInventory(
  format: ExportFormat,
  devices: readonly ExportDevice[],
  ctx: ExportContext,
): string {
  switch (format) {
    case 'csv':
      return exportCsv(devices);
    case 'ansible-ini':
      return exportAnsibleIni(devices, ctx.jumpEndpoint);
    case 'ansible-yaml':
      return exportAnsibleYaml(devices, ctx.jumpEndpoint);
    case 'ssh-config':
      return exportSshConfig(devices);
    case 'known-hosts':
      return exportKnownHosts(devices, ctx.adhocJump);
  }
}
