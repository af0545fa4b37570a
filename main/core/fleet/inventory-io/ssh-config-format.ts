import type { Line } from 'ssh-config';
import SSHConfig, { LineType } from 'ssh-config';
import type { ExportDevice, InventoryRecord, ParsedInventory } from './inventory-record';
import { rejectedRow, skippedRow } from './inventory-record';

/**
 * `Host` entries of an OpenSSH client config. Settings are computed as ssh does (first value wins, `Host *`
 * defaults apply), but `Match exec` is never run: a config file is data here, not a script. `Include` is not
 * followed (import the included files one by one).
 */

const wildcard = /[*?!]/;

function values(line: Line): string[] {
  if (line.type !== LineType.DIRECTIVE) return [];
  return typeof line.value === 'string' ? [line.value] : line.value.map((v) => v.val);
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** ssh_config tokens in HostName and IdentityFile: %h (the alias), %d (home), %% (a percent sign). */
function expandTokens(value: string, alias: string): string {
  return value.replace(/%([hd%])/g, (_, t: string) => (t === 'h' ? alias : t === 'd' ? '~' : '%'));
}

/** Line numbers of the top-level Host/Match/Include lines, in file order (the parser does not keep them). */
function directiveLines(text: string): number[] {
  const out: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (/^\s*(host|match)(\s|=)/i.test(line)) out.push(i + 1);
  });
  return out;
}

export function parseSshConfig(text: string): ParsedInventory {
  let config: SSHConfig;
  try {
    config = SSHConfig.parse(text);
  } catch (err) {
    const reason = `The ssh config cannot be read: ${(err as Error).message}.`;
    return { records: [], rows: [rejectedRow(null, null, reason)], notes: [], fatal: reason };
  }
  const records: InventoryRecord[] = [];
  const rows: ParsedInventory['rows'] = [];
  const notes: string[] = [];
  const lines = directiveLines(text);
  let sectionIndex = 0;

  for (const line of config) {
    if (line.type !== LineType.DIRECTIVE) continue;
    const param = line.param.toLowerCase();
    if (param === 'include') {
      notes.push(`Include ${values(line).join(' ')} was not followed: import those files separately.`);
      continue;
    }
    if (param !== 'host' && param !== 'match') continue;
    const lineNo = lines[sectionIndex] ?? null;
    sectionIndex += 1;
    if (param === 'match') {
      rows.push(
        skippedRow(lineNo, null, 'Match blocks are not devices (their settings apply to matching hosts).'),
      );
      continue;
    }
    const patterns = values(line);
    const aliases = patterns.filter((p) => !wildcard.test(p));
    if (aliases.length === 0) {
      rows.push(
        skippedRow(
          lineNo,
          patterns.join(' '),
          'A wildcard pattern is not a device; its settings were applied as defaults to the hosts it matches.',
        ),
      );
      continue;
    }
    const [alias, ...others] = aliases;
    if (alias === undefined) continue;
    const record = recordFor(config, alias, lineNo);
    if ('reject' in record) {
      rows.push(rejectedRow(lineNo, alias, record.reject));
      continue;
    }
    if (others.length > 0) record.note = `Also known as ${others.join(', ')} (only the first name is used).`;
    records.push(record);
  }
  return { records, rows, notes };
}

function recordFor(
  config: SSHConfig,
  alias: string,
  line: number | null,
): InventoryRecord | { reject: string } {
  const c = config.compute(alias, { ignoreCase: true, matchExec: false });
  if (c['proxycommand'] !== undefined && one(c['proxycommand'])?.toLowerCase() !== 'none') {
    return { reject: 'It uses ProxyCommand, which EdgeFleet cannot follow. Use ProxyJump instead.' };
  }
  const fields: Record<string, unknown> = {
    host: expandTokens(one(c['hostname']) ?? alias, alias),
  };
  const port = one(c['port']);
  if (port !== undefined) fields['port'] = /^\d+$/.test(port) ? Number(port) : port;
  const user = one(c['user']);
  if (user !== undefined) fields['user'] = user;
  const identity = one(c['identityfile']);
  if (identity !== undefined && identity.toLowerCase() !== 'none') {
    fields['keyPath'] = expandTokens(identity, alias);
    fields['authMethod'] = 'key';
  } else {
    const preferred = one(c['preferredauthentications'])?.split(',')[0]?.trim().toLowerCase();
    fields['authMethod'] =
      preferred === 'password' || preferred === 'keyboard-interactive' ? 'password' : 'agent';
    fields['keyPath'] = null;
  }
  const jump = one(c['proxyjump']);
  if (jump !== undefined && jump.toLowerCase() !== 'none') {
    if (jump.includes(',')) {
      return { reject: `ProxyJump ${jump} has several hops; EdgeFleet follows one jump host.` };
    }
    fields['jump'] = jump;
  } else {
    fields['jump'] = null;
  }
  return { line, name: alias, fields };
}

export function exportSshConfig(devices: readonly ExportDevice[]): string {
  const config = new SSHConfig();
  for (const d of devices) {
    const entry: Record<string, string> = {
      Host: d.name,
      HostName: d.host,
      Port: String(d.port),
      User: d.user,
    };
    if (d.authMethod === 'key' && d.keyPath !== null) {
      entry['IdentityFile'] = d.keyPath;
      entry['IdentitiesOnly'] = 'yes';
    }
    if (d.authMethod === 'password') entry['PreferredAuthentications'] = 'keyboard-interactive,password';
    if (d.jump !== null) entry['ProxyJump'] = d.jump;
    config.append(entry);
  }
  return `# EdgeFleet devices (ssh_config). Host keys: edgefleet devices export --format known-hosts\n${SSHConfig.stringify(config)}`;
}
