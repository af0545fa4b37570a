import { AnsibleInventory } from './ansible-inventory';
import type { ExportDevice, ParsedInventory } from './inventory-record';
import { rejectedRow } from './inventory-record';
import type { HostVars } from './ansible-vars';
import { ansibleHostFor, expandHostPattern, splitHostPort } from './ansible-vars';
import { iniValue, pythonLiteral, shlexSplit } from './python-shlex';

/** `[group]`, `[group:vars]`, `[group:children]`, as Ansible's INI plugin reads them. */
const sectionLine = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;

/** Group names written as INI sections: no spaces, brackets, colons or comment characters. */
function isIniGroupName(tag: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(tag);
}

export function parseAnsibleIni(text: string): ParsedInventory {
  const inventory = new AnsibleInventory();
  const rows: ParsedInventory['rows'] = [];
  let group = 'ungrouped';
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = sectionLine.exec(line);
    if (section !== null) {
      group = section[1] ?? 'ungrouped';
      const kind = section[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
        rows.push(rejectedRow(lineNo, null, `Unknown section [${group}:${kind}]: use :vars or :children.`));
        state = 'vars';
        return;
      }
      state = kind;
      inventory.group(group);
      return;
    }
    if (line.startsWith('[')) {
      rows.push(
        rejectedRow(lineNo, null, `"${line}" is not a valid section header (group names have no spaces).`),
      );
      return;
    }
    if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) {
        rows.push(rejectedRow(lineNo, null, `Expected key=value in [${group}:vars], got "${line}".`));
        return;
      }
      inventory.addGroupVars(group, { [line.slice(0, eq).trim()]: pythonLiteral(line.slice(eq + 1).trim()) });
      return;
    }
    if (state === 'children') {
      const child = line.split(/\s+/)[0] ?? '';
      inventory.addChild(group, child);
      return;
    }
    let tokens: string[];
    try {
      tokens = shlexSplit(line);
    } catch (err) {
      rows.push(
        rejectedRow(
          lineNo,
          line.split(/\s+/)[0] ?? null,
          `Cannot split the line: ${(err as Error).message}.`,
        ),
      );
      return;
    }
    const [pattern, ...assignments] = tokens;
    if (pattern === undefined) return;
    const vars: HostVars = {};
    const bad = assignments.find((a) => a.indexOf('=') <= 0);
    if (bad !== undefined) {
      rows.push(rejectedRow(lineNo, pattern, `Expected key=value after the host name, got "${bad}".`));
      return;
    }
    for (const a of assignments) {
      const eq = a.indexOf('=');
      vars[a.slice(0, eq)] = pythonLiteral(a.slice(eq + 1));
    }
    const { name, port } = splitHostPort(pattern);
    let names: string[];
    try {
      names = expandHostPattern(name);
    } catch (err) {
      rows.push(rejectedRow(lineNo, pattern, `Bad host range: ${(err as Error).message}.`));
      return;
    }
    for (const host of names) {
      inventory.addHost(group, host, port === undefined ? vars : { ansible_port: port, ...vars }, lineNo);
    }
  });

  try {
    return { records: inventory.records(), rows, notes: [] };
  } catch (err) {
    const reason = `The inventory is inconsistent: ${(err as Error).message}.`;
    return { records: [], rows: [...rows, rejectedRow(null, null, reason)], notes: [], fatal: reason };
  }
}

/**
 * Hosts with their variables first (Ansible puts them in "ungrouped" until a group claims them), then one
 * section per tag. Tags that cannot be INI section names travel in `edgefleet_tags`.
 */
export function exportAnsibleIni(
  devices: readonly ExportDevice[],
  resolveJump: (name: string) => string | null,
): string {
  const out: string[] = ['# EdgeFleet device inventory (Ansible INI)'];
  const groups = new Map<string, string[]>();
  for (const d of devices) {
    const host = ansibleHostFor(d, isIniGroupName, resolveJump);
    out.push([d.name, ...host.vars.map(([k, v]) => `${k}=${iniValue(v)}`)].join(' '));
    for (const g of host.groups) groups.set(g, [...(groups.get(g) ?? []), d.name]);
  }
  for (const [g, names] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    out.push('', `[${g}]`, ...names);
  }
  return `${out.join('\n')}\n`;
}
