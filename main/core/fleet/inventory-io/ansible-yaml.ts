import type { Document, Node, Pair } from 'yaml';
import { isMap, isScalar, LineCounter, parseDocument, stringify } from 'yaml';
import { AnsibleInventory } from './ansible-inventory';
import type { ExportDevice, ParsedInventory } from './inventory-record';
import { rejectedRow } from './inventory-record';
import type { HostVars } from './ansible-vars';
import { ansibleHostFor, expandHostPattern, splitHostPort } from './ansible-vars';

/**
 * Ansible's YAML inventory: top-level keys are groups (usually just `all`); a group has `hosts` (name →
 * variables or null), `vars` and `children` (more groups, nested to any depth).
 */
export function parseAnsibleYaml(text: string): ParsedInventory {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, version: '1.1' });
  const lineOf = (node: Node | null | undefined): number | null =>
    node?.range === undefined || node.range === null ? null : lineCounter.linePos(node.range[0]).line;
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const line = firstError.linePos?.[0]?.line ?? null;
    const reason = `The YAML is malformed: ${firstError.message.split('\n')[0] ?? firstError.code}. Nothing was imported.`;
    return { records: [], rows: [rejectedRow(line, null, reason)], notes: [], fatal: reason };
  }
  const rows: ParsedInventory['rows'] = [];
  const notes: string[] = [];
  const inventory = new AnsibleInventory();
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    return { records: [], rows: [], notes: ['The file holds no hosts.'] };
  }
  if (!isMap(root)) {
    const reason = 'An Ansible YAML inventory is a mapping of groups (usually starting with "all:").';
    return { records: [], rows: [rejectedRow(lineOf(root), null, reason)], notes: [], fatal: reason };
  }

  const toVars = (node: unknown, where: string, line: number | null): HostVars | null => {
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return {};
    if (!isMap(node)) {
      rows.push(rejectedRow(line, where, `The variables of ${where} must be a mapping of name: value.`));
      return null;
    }
    return (node as unknown as { toJS(doc: Document): unknown }).toJS(doc) as HostVars;
  };

  const readGroup = (name: string, node: unknown, line: number | null, path: string[]): void => {
    inventory.group(name);
    if (path.includes(name)) {
      rows.push(
        rejectedRow(line, null, `The group ${name} contains itself (${[...path, name].join(' → ')}).`),
      );
      return;
    }
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return;
    if (!isMap(node)) {
      rows.push(rejectedRow(line, null, `The group ${name} must be a mapping with hosts, vars or children.`));
      return;
    }
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const keyLine = lineOf(pair.key);
      if (key === 'hosts') {
        if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) continue;
        if (!isMap(pair.value)) {
          rows.push(rejectedRow(keyLine, null, `hosts of group ${name} must be a mapping of host names.`));
          continue;
        }
        for (const hostPair of pair.value.items as Pair<Node, Node | null>[]) {
          const entry = isScalar(hostPair.key) ? String(hostPair.key.value) : '';
          const hostLine = lineOf(hostPair.key);
          const vars = toVars(hostPair.value, entry, hostLine);
          if (vars === null) continue;
          const { name: pattern, port } = splitHostPort(entry);
          let names: string[];
          try {
            names = expandHostPattern(pattern);
          } catch (err) {
            rows.push(rejectedRow(hostLine, entry, `Bad host range: ${(err as Error).message}.`));
            continue;
          }
          for (const host of names) {
            inventory.addHost(
              name,
              host,
              port === undefined ? vars : { ansible_port: port, ...vars },
              hostLine,
            );
          }
        }
      } else if (key === 'vars') {
        const vars = toVars(pair.value, `group ${name}`, keyLine);
        if (vars !== null) inventory.addGroupVars(name, vars);
      } else if (key === 'children') {
        if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) continue;
        if (!isMap(pair.value)) {
          rows.push(rejectedRow(keyLine, null, `children of group ${name} must be a mapping of groups.`));
          continue;
        }
        for (const childPair of pair.value.items as Pair<Node, Node | null>[]) {
          const child = isScalar(childPair.key) ? String(childPair.key.value) : '';
          inventory.addChild(name, child);
          readGroup(child, childPair.value, lineOf(childPair.key), [...path, name]);
        }
      } else {
        notes.push(
          `Ignored key "${key}" in group ${name} (line ${keyLine ?? '?'}): only hosts, vars and children mean something.`,
        );
      }
    }
  };

  for (const pair of root.items as Pair<Node, Node | null>[]) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    readGroup(name, pair.value, lineOf(pair.key), []);
  }
  try {
    return { records: inventory.records(), rows, notes };
  } catch (err) {
    const reason = `The inventory is inconsistent: ${(err as Error).message}.`;
    return { records: [], rows: [...rows, rejectedRow(null, null, reason)], notes, fatal: reason };
  }
}

/** Written and read as YAML 1.1, as Ansible's PyYAML does: `yes` or `0777` in a value are quoted, not a bool or octal. */
export function exportAnsibleYaml(
  devices: readonly ExportDevice[],
  resolveJump: (name: string) => string | null,
): string {
  const hosts: Record<string, Record<string, unknown>> = {};
  const groups = new Map<string, string[]>();
  for (const d of devices) {
    const host = ansibleHostFor(d, () => true, resolveJump);
    hosts[d.name] = Object.fromEntries(host.vars);
    for (const g of host.groups) groups.set(g, [...(groups.get(g) ?? []), d.name]);
  }
  const children: Record<string, { hosts: Record<string, null> }> = {};
  for (const [g, names] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    children[g] = { hosts: Object.fromEntries(names.map((n) => [n, null])) };
  }
  const all: Record<string, unknown> = { hosts };
  if (groups.size > 0) all['children'] = children;
  return `# EdgeFleet device inventory (Ansible YAML)\n${stringify({ all }, { lineWidth: 0, version: '1.1' })}`;
}
