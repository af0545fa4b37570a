import { defaultDeployRoot } from '../../../../shared/schemas/fleet';
import { formatEndpoint, parseJumpSpec } from '../devices/jump-spec';
import type { ExportDevice, InventoryRecord } from './inventory-record';

/**
 * Device fields ↔ Ansible host variables. Ansible's own variables carry the connection
 * (ansible_host/port/user/ssh_private_key_file, and ProxyJump in ansible_ssh_common_args so Ansible itself
 * goes through the jump host); `edgefleet_*` variables carry the rest, which Ansible ignores.
 */

/** Groups Ansible defines itself: never tags. */
const builtinGroups = new Set(['all', 'ungrouped']);

export type HostVars = Record<string, unknown>;

function text(value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function first(vars: HostVars, ...names: string[]): unknown {
  for (const n of names) if (n in vars) return vars[n];
  return undefined;
}

/** `-o ProxyJump=x`, `-oProxyJump x`, `-J x` in ssh arguments. */
function proxyJumpFromSshArgs(args: string): string | undefined {
  const m = /(?:-o\s*ProxyJump[=\s]\s*|-J\s*)(['"]?)([^\s'"]+)\1/i.exec(args);
  return m?.[2];
}

/** A record from an inventory host: its name, merged variables (group vars first, host vars last) and groups. */
export function recordFromAnsibleHost(
  name: string,
  vars: HostVars,
  groups: readonly string[],
  line: number | null,
): InventoryRecord {
  const fields: Record<string, unknown> = {};
  // Ansible connects to the inventory name when ansible_host is not set.
  fields['host'] = text(first(vars, 'ansible_host', 'ansible_ssh_host')) ?? name;
  const port = first(vars, 'ansible_port', 'ansible_ssh_port');
  if (port !== undefined) fields['port'] = port;
  const user = text(first(vars, 'ansible_user', 'ansible_ssh_user'));
  if (user !== undefined && user !== null) fields['user'] = user;
  const key = text(first(vars, 'ansible_ssh_private_key_file', 'ansible_private_key_file'));
  if (key !== undefined && key !== null) {
    fields['keyPath'] = key;
    fields['authMethod'] = 'key';
  }
  const auth = text(vars['edgefleet_auth']);
  if (auth !== undefined && auth !== null) fields['authMethod'] = auth;
  else if (key === undefined && first(vars, 'ansible_password', 'ansible_ssh_pass') !== undefined) {
    // The password itself is not imported: EdgeFleet never stores passwords; it asks at use.
    fields['authMethod'] = 'password';
  }
  const jump =
    text(vars['edgefleet_jump']) ??
    proxyJumpFromSshArgs(String(first(vars, 'ansible_ssh_common_args', 'ansible_ssh_extra_args') ?? ''));
  if (jump !== undefined) fields['jump'] = jump;
  const optional: [string, string][] = [
    ['edgefleet_profile', 'profile'],
    ['edgefleet_deploy_root', 'deployRoot'],
    ['edgefleet_restart_cmd', 'restartCmd'],
    ['edgefleet_health_cmd', 'healthCmd'],
    ['edgefleet_notes', 'notes'],
  ];
  for (const [variable, field] of optional) {
    const v = text(vars[variable]);
    if (v !== undefined) fields[field] = v;
  }
  const extraTags = vars['edgefleet_tags'];
  const tags = [...groups.filter((g) => !builtinGroups.has(g))];
  if (Array.isArray(extraTags)) tags.push(...extraTags.map((t) => String(t)));
  else if (typeof extraTags === 'string' && extraTags !== '') tags.push(extraTags);
  return { line, name, fields, tags: [...new Set(tags)] };
}

type AnsibleExportHost = {
  vars: [string, string | number | string[]][];
  /** Tags that are usable group names in this format. */
  groups: string[];
};

/**
 * Variables for one device. `groupName` says which tags the format can write as groups; the rest travel
 * in `edgefleet_tags`. `resolveJump` turns a jump device's name into user@host:port for Ansible's ssh.
 */
export function ansibleHostFor(
  d: ExportDevice,
  groupName: (tag: string) => boolean,
  resolveJump: (name: string) => string | null,
): AnsibleExportHost {
  const vars: AnsibleExportHost['vars'] = [
    ['ansible_host', d.host],
    ['ansible_port', d.port],
    ['ansible_user', d.user],
  ];
  if (d.authMethod === 'key' && d.keyPath !== null) vars.push(['ansible_ssh_private_key_file', d.keyPath]);
  if (d.authMethod !== 'key') vars.push(['edgefleet_auth', d.authMethod]);
  if (d.jump !== null) {
    vars.push(['edgefleet_jump', d.jump]);
    const endpoint = resolveJump(d.jump) ?? safeEndpoint(d.jump, d.user);
    if (endpoint !== null) vars.push(['ansible_ssh_common_args', `-o ProxyJump=${endpoint}`]);
  }
  if (d.profile !== null) vars.push(['edgefleet_profile', d.profile]);
  if (d.deployRoot !== defaultDeployRoot) vars.push(['edgefleet_deploy_root', d.deployRoot]);
  if (d.restartCmd !== null) vars.push(['edgefleet_restart_cmd', d.restartCmd]);
  if (d.healthCmd !== null) vars.push(['edgefleet_health_cmd', d.healthCmd]);
  if (d.notes !== null) vars.push(['edgefleet_notes', d.notes]);
  const groups = d.tags.filter((t) => groupName(t) && !builtinGroups.has(t));
  const extra = d.tags.filter((t) => !groups.includes(t));
  if (extra.length > 0) vars.push(['edgefleet_tags', extra]);
  return { vars, groups };
}

function safeEndpoint(spec: string, user: string): string | null {
  try {
    const e = parseJumpSpec(spec);
    return formatEndpoint(e.user ?? user, e.host, e.port);
  } catch {
    return null;
  }
}

/**
 * Ansible host patterns: `web[01:03].lan` → web01, web02, web03; `[a:c]`; `[1:9:2]` with a stride. The
 * first range is expanded, then the rest recursively. An IPv6 literal in brackets is not a range.
 */
export function expandHostPattern(pattern: string): string[] {
  const m = /\[([0-9A-Za-z]+):([0-9A-Za-z]+)(?::(\d+))?\]/.exec(pattern);
  if (m === null) return [pattern];
  const [whole, start = '', end = '', strideText] = m;
  const stride = strideText === undefined ? 1 : Number(strideText);
  const head = pattern.slice(0, m.index);
  const tail = pattern.slice(m.index + whole.length);
  const values: string[] = [];
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const width = start.startsWith('0') ? start.length : 0;
    for (let i = Number(start); i <= Number(end) && stride > 0; i += stride) {
      values.push(String(i).padStart(width, '0'));
      if (values.length > 10_000) throw new Error(`the range in ${pattern} is too large`);
    }
  } else if (/^[a-z]$/i.test(start) && /^[a-z]$/i.test(end)) {
    for (let c = start.charCodeAt(0); c <= end.charCodeAt(0) && stride > 0; c += stride) {
      values.push(String.fromCharCode(c));
    }
  } else {
    throw new Error(`the range [${start}:${end}] in ${pattern} is neither numbers nor single letters`);
  }
  return values.flatMap((v) => expandHostPattern(`${head}${v}${tail}`));
}

/** `name:port` in an inventory host entry (Ansible's parse_address); IPv6 needs brackets for a port. */
export function splitHostPort(entry: string): { name: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(entry);
  if (bracketed !== null) return { name: bracketed[1] ?? entry, port: Number(bracketed[2]) };
  const m = /^([^:]+):(\d+)$/.exec(entry);
  if (m !== null) return { name: m[1] ?? entry, port: Number(m[2]) };
  return { name: entry, port: undefined };
}
