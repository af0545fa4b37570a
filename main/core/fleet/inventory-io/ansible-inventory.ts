import type { InventoryRecord } from './inventory-record';
import type { HostVars } from './ansible-vars';
import { recordFromAnsibleHost } from './ansible-vars';

type Group = { hosts: Set<string>; vars: HostVars; children: Set<string> };

/**
 * What an Ansible inventory says, independent of INI or YAML syntax, and Ansible's rules for turning it into
 * hosts: a host is in every group that contains it directly or through `children`; variables merge from
 * `all` through parent groups to child groups (deeper wins, then name order), and host variables win last.
 */
export class AnsibleInventory {
  private readonly groups = new Map<string, Group>();
  private readonly hostVars = new Map<string, HostVars>();
  private readonly hostLines = new Map<string, number | null>();

  group(name: string): Group {
    let g = this.groups.get(name);
    if (g === undefined) {
      g = { hosts: new Set(), vars: {}, children: new Set() };
      this.groups.set(name, g);
    }
    return g;
  }

  addHost(group: string, name: string, vars: HostVars, line: number | null): void {
    this.group(group).hosts.add(name);
    this.hostVars.set(name, { ...(this.hostVars.get(name) ?? {}), ...vars });
    if (!this.hostLines.has(name)) this.hostLines.set(name, line);
  }

  addGroupVars(group: string, vars: HostVars): void {
    Object.assign(this.group(group).vars, vars);
  }

  addChild(parent: string, child: string): void {
    this.group(parent).children.add(child);
    this.group(child);
  }

  /** Throws on a `children` loop, which Ansible refuses too. */
  records(): InventoryRecord[] {
    const depth = this.depths();
    const parents = new Map<string, string[]>();
    for (const [name, g] of this.groups) {
      for (const child of g.children) parents.set(child, [...(parents.get(child) ?? []), name]);
    }
    const ancestorsOf = (group: string, seen = new Set<string>()): Set<string> => {
      if (seen.has(group)) return seen;
      seen.add(group);
      for (const p of parents.get(group) ?? []) ancestorsOf(p, seen);
      return seen;
    };
    const records: InventoryRecord[] = [];
    for (const [host, own] of this.hostVars) {
      const groups = new Set<string>(['all']);
      for (const [name, g] of this.groups) {
        if (g.hosts.has(host)) for (const a of ancestorsOf(name)) groups.add(a);
      }
      const ordered = [...groups].sort(
        (a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.localeCompare(b),
      );
      const vars: HostVars = {};
      for (const g of ordered) Object.assign(vars, this.groups.get(g)?.vars ?? {});
      Object.assign(vars, own);
      records.push(recordFromAnsibleHost(host, vars, ordered, this.hostLines.get(host) ?? null));
    }
    return records;
  }

  /** all = 0; a group is one deeper than its deepest parent. */
  private depths(): Map<string, number> {
    const depth = new Map<string, number>();
    const visit = (name: string, d: number, path: string[]): void => {
      if (path.includes(name)) {
        throw new Error(`the groups ${[...path, name].join(' → ')} contain each other`);
      }
      if ((depth.get(name) ?? -1) >= d) return;
      depth.set(name, d);
      for (const child of this.groups.get(name)?.children ?? []) visit(child, d + 1, [...path, name]);
    };
    const isChild = new Set([...this.groups.values()].flatMap((g) => [...g.children]));
    visit('all', 0, []);
    for (const name of this.groups.keys()) if (!isChild.has(name) && name !== 'all') visit(name, 1, []);
    return depth;
  }
}
