import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../../shared/errors';
import type { Device, ImportReport } from '../../../../shared/schemas/fleet';
import { deviceSchema } from '../../../../shared/schemas/fleet';
import { ed25519PublicKey, hashedKnownHostsName } from '../../../../test/fixtures/ssh-keys';
import { memoryDatabase } from '../../../../test/fixtures/temp-db';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import { createSilentLogger } from '../../logger';
import { DeviceRepository, MemorySecretStore, type SecretRef } from '../devices';
import { FleetService } from './fleet-service';

function newFleet(): { fleet: FleetService; db: Database } {
  const db = memoryDatabase();
  return { fleet: new FleetService(new DeviceRepository(db), { logger: createSilentLogger() }), db };
}

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected an error');
}

/** What an export/import round trip must preserve. */
function portable(d: Device) {
  return {
    name: d.name,
    host: d.host,
    port: d.port,
    user: d.user,
    authMethod: d.authMethod,
    keyPath: d.keyPath,
    jump: d.jump,
    tags: d.tags,
    profile: d.profile,
    deployRoot: d.deployRoot,
    restartCmd: d.restartCmd,
    healthCmd: d.healthCmd,
    notes: d.notes,
  };
}

/** A fleet that exercises every field and the awkward values. */
function richFleet(fleet: FleetService): void {
  fleet.add({
    name: 'gw',
    host: '203.0.113.10',
    port: 2201,
    user: 'ops',
    keyPath: '/keys/ops key',
    tags: ['edge', 'gateways'],
  });
  fleet.add({
    name: 'pi-1',
    host: '10.0.0.11',
    user: 'pi',
    keyPath: '~/.ssh/id_ed25519',
    jump: 'gw',
    tags: ['edge', 'a b', "it's", '$(touch /tmp/pwned)', 'x; rm -rf /', '"quoted"', 'all'],
    profile: 'rpi4-4gb',
    deployRoot: "/srv/edge fleet/it's $(x);y",
    restartCmd: 'systemctl restart \'edge model\' && echo "done" # restart',
    healthCmd: 'curl -fsS http://127.0.0.1:8080/health',
    notes: 'Kitchen shelf.\nSecond line, with "quotes", commas; and =SUM(A1)',
  });
  fleet.add({
    name: 'jet-1',
    host: 'fe80::1',
    authMethod: 'password',
    user: 'nvidia',
    jump: 'admin@198.51.100.2:2222',
  });
  fleet.add({ name: 'cam-9', host: 'cam9.lan', tags: ['True', '22'] });
}

describe('device inventory', () => {
  it('adds devices with defaults, validates every field, and keeps names unique without regard to case', () => {
    const { fleet } = newFleet();
    const d = fleet.add({ name: 'pi-1', host: '[::1]' });
    expect(deviceSchema.parse(d)).toEqual(d);
    expect(d).toMatchObject({
      host: '::1',
      port: 22,
      user: userInfo().username,
      authMethod: 'agent',
      keyPath: null,
      deployRoot: '/opt/edgefleet',
      hostKey: null,
      status: null,
      probe: null,
      tags: [],
    });
    expect(fleet.get('PI-1').id).toBe(d.id);
    expect(fleet.get(d.id).name).toBe('pi-1');
    expect(thrown(() => fleet.add({ name: 'Pi-1', host: 'x' })).code).toBe('NAME_TAKEN');

    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'bad name', host: 'h' }, /name/],
      [{ name: 'all', host: 'h' }, /reserved/],
      [{ name: 'ok', host: 'h; rm' }, /host/],
      [{ name: 'ok', host: 'h', port: 70000 }, /port/],
      [{ name: 'ok', host: 'h', deployRoot: 'relative/dir' }, /deploy root/],
      [{ name: 'ok', host: 'h', tags: ['a,b'] }, /comma/],
      [{ name: 'ok', host: 'h', tags: ['bell\u0007'] }, /control/],
      [{ name: 'ok', host: 'h', authMethod: 'key' }, /key file/],
      [{ name: 'ok', host: 'h', jump: 'ok' }, /own jump host/],
      [{ name: 'ok', host: 'h', jump: 'a b' }, /jump host/],
      [{ name: 'ok', host: 'h', password: 'x' }, /unknown field/],
    ];
    for (const [input, message] of cases) {
      const err = thrown(() => fleet.add(input));
      expect({ input, code: err.code }).toEqual({ input, code: 'BAD_REQUEST' });
      expect(err.message).toMatch(message);
    }
    expect(fleet.list().map((x) => x.name)).toEqual(['pi-1']);
  });

  it('updates, renames (jump references follow), tags by target and removes', () => {
    const { fleet } = newFleet();
    richFleet(fleet);
    const before = fleet.get('pi-1');
    const renamed = fleet.update('gw', { name: 'gateway', port: 22, notes: 'moved' });
    expect(renamed).toMatchObject({ name: 'gateway', port: 22, notes: 'moved', keyPath: '/keys/ops key' });
    expect(fleet.get('pi-1').jump).toBe('gateway');
    expect(thrown(() => fleet.update('pi-1', { name: 'jet-1' })).code).toBe('NAME_TAKEN');
    expect(thrown(() => fleet.update('gateway', { jump: 'pi-1' })).message).toMatch(/loop/);

    // "" and null clear optional fields; switching auth drops the key path.
    const cleared = fleet.update('pi-1', { notes: '', profile: null, authMethod: 'agent' });
    expect(cleared).toMatchObject({ notes: null, profile: null, authMethod: 'agent', keyPath: null });
    expect(cleared.updatedAt >= before.updatedAt).toBe(true);
    expect(cleared.createdAt).toBe(before.createdAt);

    const tagged = fleet.tag(['tag:edge', 'cam-9'], { add: ['site a'], remove: ['edge'] });
    expect(tagged.map((d) => d.name)).toEqual(['cam-9', 'gateway', 'pi-1']);
    expect(fleet.list({ tag: 'site a' })).toHaveLength(3);
    expect(fleet.list({ tag: 'edge' })).toHaveLength(0);
    expect(thrown(() => fleet.resolve(['tag:nope'])).code).toBe('NOT_FOUND');
    expect(thrown(() => fleet.resolve(['nope'])).code).toBe('NOT_FOUND');
    expect(fleet.resolve(['all', 'pi-1']).map((d) => d.name)).toEqual(['cam-9', 'gateway', 'jet-1', 'pi-1']);

    expect(thrown(() => fleet.remove('gateway')).code).toBe('DEVICE_IN_USE');
    fleet.update('pi-1', { jump: null });
    expect(fleet.remove('gateway')).toMatchObject({ name: 'gateway' });
    expect(thrown(() => fleet.get('gateway')).code).toBe('NOT_FOUND');
  });
});

describe('import and export', () => {
  for (const format of ['csv', 'ansible-ini', 'ansible-yaml'] as const) {
    it(`round-trips every field through ${format}`, () => {
      const { fleet } = newFleet();
      richFleet(fleet);
      const text = fleet.export(format).text;
      const { fleet: copy } = newFleet();
      const report = copy.importText(text, format);
      expect(report).toMatchObject({ applied: true, counts: { added: 4, rejected: 0, skipped: 0 } });
      expect(copy.list().map(portable)).toEqual(fleet.list().map(portable));
      // Importing the same file again changes nothing.
      expect(copy.importText(text, format).counts).toMatchObject({ unchanged: 4, added: 0, updated: 0 });
    });
  }

  it('round-trips connection settings through ssh-config', () => {
    const { fleet } = newFleet();
    richFleet(fleet);
    const text = fleet.export('ssh-config').text;
    expect(text).toContain('ProxyJump gw');
    const { fleet: copy } = newFleet();
    expect(copy.importText(text, 'ssh-config').counts.added).toBe(4);
    const connection = (d: Device) => [d.name, d.host, d.port, d.user, d.authMethod, d.keyPath, d.jump];
    expect(copy.list().map(connection)).toEqual(fleet.list().map(connection));
  });

  it('pins keys from known_hosts (plain, [host]:port, hashed) and round-trips them', () => {
    const { fleet } = newFleet();
    richFleet(fleet);
    const keys = [ed25519PublicKey(), ed25519PublicKey(), ed25519PublicKey(), ed25519PublicKey()];
    const text = [
      `[203.0.113.10]:2201 ${keys[0]}`,
      `10.0.0.11,pi-1.lan ${keys[1]}`,
      `[198.51.100.2]:2222 ${keys[2]}`,
      `unrelated.example ${keys[2]}`,
      `${hashedKnownHostsName('cam9.lan')} ${keys[3]}`,
    ].join('\n');
    const report = fleet.importText(text, 'known-hosts');
    expect(report.rows.map((r) => [r.line, r.action, r.name])).toEqual([
      [1, 'updated', 'gw'],
      [2, 'updated', 'pi-1'],
      [3, 'updated', 'jet-1 (jump host)'],
      [4, 'skipped', 'unrelated.example'],
      [5, 'updated', 'cam-9'],
    ]);
    expect(fleet.get('gw').hostKey?.publicKey).toBe(keys[0]);
    expect(fleet.get('jet-1').jumpHostKey?.publicKey).toBe(keys[2]);
    expect(fleet.get('jet-1').hostKey).toBeNull();

    const exported = fleet.export('known-hosts').text;
    const { fleet: copy } = newFleet();
    copy.importText(fleet.export('csv').text, 'csv');
    expect(copy.importText(exported, 'known-hosts').counts.updated).toBe(4);
    const pins = (f: FleetService) =>
      f.list().map((d) => [d.name, d.hostKey?.publicKey ?? null, d.jumpHostKey?.publicKey ?? null]);
    expect(pins(copy)).toEqual(pins(fleet));

    // A file never replaces a key that is already pinned.
    const conflict = thrown(() => fleet.importText(`cam9.lan ${keys[0]}\n`, 'known-hosts'));
    expect(conflict.code).toBe('IMPORT_INVALID');
    expect(fleet.get('cam-9').hostKey?.publicKey).toBe(keys[3]);
  });

  it('rejects a file with malformed rows without writing anything, and says why per row', () => {
    const { fleet, db } = newFleet();
    richFleet(fleet);
    const snapshot = () => db.prepare('SELECT * FROM devices ORDER BY name').all();
    const tags = () => db.prepare('SELECT * FROM device_tags ORDER BY device_id, tag').all();
    const before = [snapshot(), tags()];
    const csv = [
      'name,host,port,user,tags,deploy_root',
      'new-1,10.1.0.1,22,pi,fresh,/opt/edgefleet',
      'pi-1,10.0.0.99,22,pi,edge,/opt/edgefleet',
      'new-2,10.1.0.2,99999,pi,,/opt/edgefleet',
      'bad name,10.1.0.3,22,pi,,/opt/edgefleet',
      'new-3,10.1.0.4,22,pi,,relative',
      'new-1,10.1.0.5,22,pi,,/opt/edgefleet',
      'new-4,10.1.0.6,22,pi,"ok,no\u0007pe",/opt/edgefleet',
    ].join('\n');
    const err = thrown(() => fleet.importText(csv, 'csv'));
    expect(err.code).toBe('IMPORT_INVALID');
    const report = (err.details as { report: ImportReport }).report;
    expect(report.applied).toBe(false);
    expect(report.rows.map((r) => [r.line, r.name, r.action])).toEqual([
      [2, 'new-1', 'added'],
      [3, 'pi-1', 'updated'],
      [4, 'new-2', 'rejected'],
      [5, 'bad name', 'rejected'],
      [6, 'new-3', 'rejected'],
      [7, 'new-1', 'rejected'],
      [8, 'new-4', 'rejected'],
    ]);
    expect(report.rows[2]?.reason).toMatch(/port/);
    expect(report.rows[5]?.reason).toMatch(/twice.*line 2/);
    expect(report.rows[1]?.changes).toEqual(['host', 'deployRoot', 'tags']);
    expect([snapshot(), tags()]).toEqual(before);

    const partial = fleet.importText(csv, 'csv', { skipInvalid: true });
    expect(partial).toMatchObject({ applied: true, counts: { added: 1, updated: 1, rejected: 5 } });
    expect(fleet.get('new-1').tags).toEqual(['fresh']);
    expect(fleet.get('pi-1').host).toBe('10.0.0.99');
    // Fields the file does not carry (profile, notes…) are kept on update.
    expect(fleet.get('pi-1').profile).toBe('rpi4-4gb');
  });

  it('rejects jump loops and jumps to rejected rows inside one file', () => {
    const { fleet } = newFleet();
    const yaml = `all:
  hosts:
    a: {ansible_host: h1, edgefleet_jump: b}
    b: {ansible_host: h2, edgefleet_jump: a}
    c: {ansible_host: "bad host!"}
    d: {ansible_host: h4, edgefleet_jump: c}
    e: {ansible_host: h5, edgefleet_jump: a}
`;
    const err = thrown(() => fleet.importText(yaml, 'ansible-yaml'));
    const report = (err.details as { report: ImportReport }).report;
    expect(report.rows.map((r) => [r.name, r.action])).toEqual([
      ['a', 'rejected'],
      ['b', 'rejected'],
      ['c', 'rejected'],
      ['d', 'rejected'],
      // e is not in the loop, but going through a would never end either.
      ['e', 'rejected'],
    ]);
    expect(report.rows[0]?.reason).toMatch(/loop/);
    expect(report.rows[4]?.reason).toMatch(/e → a → b → a/);
    expect(report.rows[3]?.reason).toMatch(/jump host c was rejected/);
    expect(fleet.list()).toEqual([]);
  });

  it('imports a file from disk, inferring the format, and refuses what it cannot read', async () => {
    const { fleet } = newFleet();
    const work = tempDir('ef-fleet-svc-');
    const path = join(work, 'hosts');
    writeFileSync(path, '[pis]\npi1 ansible_host=10.0.0.1 ansible_user=pi\n');
    expect((await fleet.importFile(path)).format).toBe('ansible-ini');
    expect(fleet.get('pi1').tags).toEqual(['pis']);
    await expect(fleet.importFile(join(work, 'missing.csv'))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    await expect(fleet.importFile(work)).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
  });
});

describe('provideSecret', () => {
  it('keeps secrets for the session, and hands ticked ones to a store that can remember', () => {
    const remembered: string[] = [];
    const session = new MemorySecretStore();
    const secrets = {
      get: (ref: SecretRef) => session.get(ref),
      set: (ref: SecretRef, secret: string) => session.set(ref, secret),
      delete: (ref: SecretRef) => session.delete(ref),
      remember: (ref: SecretRef, secret: string) => {
        session.set(ref, secret);
        remembered.push(ref.kind);
        return true;
      },
    };
    const fleet = new FleetService(new DeviceRepository(memoryDatabase()), {
      logger: createSilentLogger(),
      secrets,
    });
    const pw = fleet.add({ name: 'pw', host: '10.0.0.2', user: 'pi', authMethod: 'password' });
    fleet.add({ name: 'enc', host: '10.0.0.3', user: 'pi', keyPath: '/keys/enc' });
    expect(fleet.provideSecret('pw', 'password', 'hunter2')).toBe(false);
    expect(remembered).toEqual([]);
    expect(fleet.provideSecret('enc', 'passphrase', 'pp', true)).toBe(true);
    expect(remembered).toEqual(['passphrase']);
    expect(session.get({ kind: 'password', deviceId: pw.id })).toBe('hunter2');
    expect(session.get({ kind: 'passphrase', keyPath: '/keys/enc' })).toBe('pp');
  });

  it('reports a ticked secret as not remembered where the store cannot (CLI, web console)', () => {
    const { fleet } = newFleet();
    fleet.add({ name: 'pw', host: '10.0.0.2', user: 'pi', authMethod: 'password' });
    expect(fleet.provideSecret('pw', 'password', 'hunter2', true)).toBe(false);
  });
});
