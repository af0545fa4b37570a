import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostileValues } from '../../../../test/fixtures/hostile-values';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import { parseAnsibleIni } from './ansible-ini';
import { expandHostPattern } from './ansible-vars';
import { parseAnsibleYaml } from './ansible-yaml';
import { exportCsv, parseCsvInventory } from './csv-format';
import { inferFormat } from './formats';
import type { ExportDevice, InventoryRecord } from './inventory-record';
import { parseSshConfig } from './ssh-config-format';

const work = tempDir('ef-inventory-io-');

const byName = (records: InventoryRecord[]) => new Map(records.map((r) => [r.name, r]));

describe('Ansible inventories', () => {
  it('expands host ranges', () => {
    expect(expandHostPattern('web[01:03].lan')).toEqual(['web01.lan', 'web02.lan', 'web03.lan']);
    expect(expandHostPattern('n[1:9:4]-[a:b]')).toEqual(['n1-a', 'n1-b', 'n5-a', 'n5-b', 'n9-a', 'n9-b']);
    expect(() => expandHostPattern('x[a:10]')).toThrow();
  });

  it('reads INI: hosts, host:port, ranges, nested children, group vars with Ansible precedence', () => {
    const ini = `
# a comment
; another
bastion ansible_host=203.0.113.7 ansible_user=ops

[pis]
pi[1:2] ansible_ssh_private_key_file=~/.ssh/pi_key
pi-odd:2222 ansible_host=10.0.0.9 ansible_user=root

[jetsons]
jet1 ansible_host=10.0.1.1 edgefleet_profile=jetson-orin-nano

[lab:children]
pis
jetsons

[lab:vars]
ansible_user=lab
edgefleet_deploy_root=/srv/edge fleet

[pis:vars]
ansible_user=pi

[all:vars]
ansible_port=22
`;
    const parsed = parseAnsibleIni(ini);
    expect(parsed.rows).toEqual([]);
    const r = byName(parsed.records);
    expect([...r.keys()].sort()).toEqual(['bastion', 'jet1', 'pi-odd', 'pi1', 'pi2']);
    expect(r.get('pi1')).toMatchObject({
      line: 7,
      fields: {
        host: 'pi1',
        port: 22,
        user: 'pi',
        keyPath: '~/.ssh/pi_key',
        authMethod: 'key',
        deployRoot: '/srv/edge fleet',
      },
      tags: ['lab', 'pis'],
    });
    expect(r.get('pi-odd')?.fields).toMatchObject({ host: '10.0.0.9', port: 2222, user: 'root' });
    expect(r.get('jet1')).toMatchObject({
      fields: { user: 'lab', profile: 'jetson-orin-nano' },
      tags: ['lab', 'jetsons'],
    });
    expect(r.get('bastion')).toMatchObject({ fields: { host: '203.0.113.7', user: 'ops' }, tags: [] });
  });

  it('reports INI lines it cannot read, with their line numbers', () => {
    const parsed = parseAnsibleIni(
      '[ok]\ngood ansible_host=1.2.3.4\nbad ansible_host="unclosed\nalso notakeyvalue\n[bad group]\n',
    );
    expect(parsed.records.map((r) => r.name)).toEqual(['good']);
    expect(parsed.rows.map((r) => [r.line, r.action])).toEqual([
      [3, 'rejected'],
      [4, 'rejected'],
      [5, 'rejected'],
    ]);
  });

  it('reads YAML with nested children and vars, and reports malformed YAML with its line', () => {
    const yaml = `all:
  vars:
    ansible_user: fleet
  hosts:
    gw:
      ansible_host: 198.51.100.1
  children:
    site_a:
      vars:
        edgefleet_deploy_root: /data/edgefleet
      children:
        cameras:
          hosts:
            cam[1:2]:
              ansible_port: 2200
            "cam9:2022":
      hosts:
        nvr:
          ansible_user: root
          edgefleet_tags: [night shift, "x;y"]
`;
    const parsed = parseAnsibleYaml(yaml);
    expect(parsed.rows).toEqual([]);
    const r = byName(parsed.records);
    expect(r.get('cam1')).toMatchObject({
      line: 14,
      fields: { port: 2200, user: 'fleet', deployRoot: '/data/edgefleet' },
      tags: ['site_a', 'cameras'],
    });
    expect(r.get('cam9')?.fields).toMatchObject({ port: 2022 });
    expect(r.get('nvr')).toMatchObject({ fields: { user: 'root' }, tags: ['site_a', 'night shift', 'x;y'] });
    expect(r.get('gw')).toMatchObject({ fields: { host: '198.51.100.1' }, tags: [] });

    const bad = parseAnsibleYaml('all:\n  hosts:\n    a: {b: 1\n');
    expect(bad.fatal).toBeDefined();
    expect(bad.rows[0]).toMatchObject({ action: 'rejected' });
    expect(bad.rows[0]?.line).toBeGreaterThan(1);
  });
});

describe('ssh_config Host entries', () => {
  it('computes each host as ssh would, skips wildcards, notes Include, never runs Match exec', () => {
    const marker = join(work, 'match-exec-ran');
    const config = `User everyone
Include ~/.ssh/conf.d/*

Host gw gateway
  HostName gw.example.com
  Port 2200

Host pi-1
  HostName %h.lan
  IdentityFile "~/.ssh/pi key"
  ProxyJump gw

Host old
  ProxyCommand nc %h %p

Host far
  ProxyJump a,b

Host pw
  HostName 10.0.0.8
  PreferredAuthentications password

Match exec "touch ${marker}"
  User matched

Host *.internal
  User x
`;
    const parsed = parseSshConfig(config);
    expect(existsSync(marker)).toBe(false);
    const r = byName(parsed.records);
    expect(r.get('gw')).toMatchObject({
      line: 4,
      fields: { host: 'gw.example.com', port: 2200, user: 'everyone', authMethod: 'agent', jump: null },
      note: 'Also known as gateway (only the first name is used).',
    });
    expect(r.get('pi-1')?.fields).toEqual({
      host: 'pi-1.lan',
      user: 'everyone',
      keyPath: '~/.ssh/pi key',
      authMethod: 'key',
      jump: 'gw',
    });
    expect(r.get('pw')?.fields).toMatchObject({ authMethod: 'password' });
    expect(r.get('gw')?.tags).toBeUndefined();
    expect(parsed.rows.map((row) => [row.line, row.name, row.action])).toEqual([
      [13, 'old', 'rejected'],
      [16, 'far', 'rejected'],
      [23, null, 'skipped'],
      [26, '*.internal', 'skipped'],
    ]);
    expect(parsed.notes[0]).toMatch(/Include/);
  });
});

describe('CSV', () => {
  const device = (over: Partial<ExportDevice>): ExportDevice => ({
    name: 'd1',
    host: 'h',
    port: 22,
    user: 'u',
    authMethod: 'agent',
    keyPath: null,
    jump: null,
    tags: [],
    profile: null,
    deployRoot: '/opt/edgefleet',
    restartCmd: null,
    healthCmd: null,
    notes: null,
    hostKey: null,
    jumpHostKey: null,
    ...over,
  });

  it('round-trips hostile cells, neutralizing spreadsheet formulas on the way out', () => {
    const notes = hostileValues
      .filter((s) => s !== '')
      .map((s, i) => device({ name: `d${i}`, notes: s, restartCmd: `'${s}` }));
    const text = exportCsv(notes);
    expect(text).toContain(`'=SUM(A1)`);
    expect(text).not.toMatch(/(^|,)=SUM/m);
    const parsed = parseCsvInventory(text);
    expect(parsed.rows).toEqual([]);
    expect(parsed.records.map((r) => r.fields['notes'])).toEqual(notes.map((d) => d.notes));
    expect(parsed.records.map((r) => r.fields['restartCmd'])).toEqual(notes.map((d) => d.restartCmd));
  });

  it('reports broken quoting as fatal and extra cells per row, with line numbers', () => {
    const broken = parseCsvInventory('name,host\na,"b\nc,d\n');
    expect(broken.fatal).toMatch(/malformed/);
    const noHost = parseCsvInventory('name,address2\na,b\n');
    expect(noHost.fatal).toMatch(/no host column/);
    const extra = parseCsvInventory('Name,Hostname,Tags\na,h,"x, y"\nb,h,z,EXTRA\n"c\nd",h,\n');
    expect(extra.rows).toEqual([expect.objectContaining({ line: 3, name: 'b', action: 'rejected' })]);
    expect(extra.records.map((r) => [r.line, r.name, r.tags])).toEqual([
      [2, 'a', ['x', 'y']],
      [4, 'c\nd', []],
    ]);
  });
});

describe('format inference', () => {
  it('goes by the file name, then by the content', () => {
    expect(inferFormat('/x/fleet.csv', '')).toBe('csv');
    expect(inferFormat('/x/hosts.ini', '')).toBe('ansible-ini');
    expect(inferFormat('/x/inventory.yml', '')).toBe('ansible-yaml');
    expect(inferFormat('/home/u/.ssh/known_hosts', '')).toBe('known-hosts');
    expect(inferFormat('/home/u/.ssh/config', '')).toBe('ssh-config');
    expect(inferFormat('/x/hosts', '[pis]\npi1 ansible_host=1.2.3.4\n')).toBe('ansible-ini');
    expect(inferFormat('/x/hosts', 'all:\n  hosts:\n    a:\n')).toBe('ansible-yaml');
    expect(inferFormat('/x/list', 'name,host\na,b\n')).toBe('csv');
    expect(inferFormat('/x/cfg', 'Host a\n  HostName b\n')).toBe('ssh-config');
    expect(inferFormat('/x/keys', 'a.lan ssh-ed25519 AAAAC3Nza\n')).toBe('known-hosts');
    expect(() => inferFormat('/x/what', 'just words\n')).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });
});
