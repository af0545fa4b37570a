import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import type { AppErrorData } from '../../../../shared/errors';
import type { ProbeOutcome, StatusOutcome, TrustOutcome } from '../../../../shared/schemas/fleet';
import type { SshdDevice } from '../../../../test/fixtures/sshd';
import {
  closedPort,
  generateKey,
  sharedClientKey,
  startSilentTcpServer,
  startSshd,
  stopAllSshd,
} from '../../../../test/fixtures/sshd';
import { memoryDatabase, tempDatabase } from '../../../../test/fixtures/temp-db';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import { createSilentLogger } from '../../logger';
import { DeviceRepository } from '../devices';
import { parseOsRelease } from '../probe/parse-probe-output';
import { FleetService } from './fleet-service';
import type { FleetProgress } from './run-fleet';

const work = tempDir('ef-fleet-ssh-');
let device: SshdDevice;

/** A fleet over its own new database (in memory unless given). */
function newFleet(connectTimeoutMs = 3000, db: Database = memoryDatabase()): FleetService {
  return new FleetService(new DeviceRepository(db), {
    logger: createSilentLogger(),
    connectTimeoutMs,
  });
}

function addFor(f: FleetService, name: string, d: { host: string; port: number }, extra: object = {}) {
  return f.add({
    name,
    host: d.host,
    port: d.port,
    user: device.username,
    keyPath: device.clientKeyPath,
    deployRoot: join(work, 'root'),
    ...extra,
  });
}

function failure(o: { ok: boolean; error?: AppErrorData | null }): AppErrorData {
  if (o.ok || o.error === undefined || o.error === null)
    throw new Error(`expected a failure, got ${JSON.stringify(o)}`);
  return o.error;
}

function only<T>(list: T[]): T {
  expect(list).toHaveLength(1);
  return list[0] as T;
}

const unameM = execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  device = await startSshd();
});

afterAll(async () => {
  await stopAllSshd();
});

describe('trust, probe and status over real sshd', () => {
  it('refuses an untrusted device, trusts it, and probes the facts this machine reports', async () => {
    const fleet = newFleet();
    addFor(fleet, 'pi-1', device, { tags: ['lab'] });

    const refused = only(await fleet.probe(['pi-1']));
    const err = failure(refused);
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
    expect(err.details).toMatchObject({ fingerprint: device.hostFingerprint, device: 'pi-1' });
    expect(device.log()).not.toMatch(/Accepted|Failed publickey/);
    expect(fleet.get('pi-1').status?.state).toBe('host_key_problem');

    const scan = only(await fleet.scanHostKeys(['tag:lab']));
    expect(scan).toMatchObject({
      ok: true,
      role: 'device',
      fingerprint: device.hostFingerprint,
      pinned: 'none',
    });

    const wrong = only(await fleet.trust(['pi-1'], ['SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']));
    expect(failure(wrong).code).toBe('FINGERPRINT_MISMATCH');
    expect(fleet.get('pi-1').hostKey).toBeNull();
    expect(fleet.get('pi-1').status?.state).toBe('host_key_problem');

    // Pasted without the prefix and with base64 padding: still the same fingerprint.
    const typed = `${device.hostFingerprint.replace(/^SHA256:/, '')}=`;
    const trusted = only(await fleet.trust(['pi-1'], [typed]));
    expect(trusted).toMatchObject({ ok: true, action: 'pinned', fingerprint: device.hostFingerprint });
    // The host-key problem the probe recorded is resolved: no stale status or alert until the next check.
    expect(fleet.get('pi-1').status).toBeNull();
    expect(fleet.get('pi-1').hostKey).toMatchObject({
      publicKey: device.hostPublicKey,
      fingerprint: device.hostFingerprint,
      keyType: 'ssh-ed25519',
    });
    expect(only(await fleet.trust(['pi-1']))).toMatchObject({ ok: true, action: 'unchanged' });

    const probed = only(await fleet.probe(['all']));
    if (!probed.ok) throw new Error(JSON.stringify(probed.error));
    const facts = probed.facts;
    expect(facts.arch).toBe(unameM);
    const osRelease = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
    expect(facts.os.id).toBe(osRelease.get('ID'));
    expect(facts.os.prettyName).toBe(osRelease.get('PRETTY_NAME'));
    expect(facts.cpu.model).toBe(cpus()[0]?.model.trim());
    expect(facts.cpu.logicalCpus).toBe(cpus().length);
    expect(Math.abs((facts.memory.totalBytes ?? 0) - totalmem()) / totalmem()).toBeLessThan(0.01);
    expect(facts.disk.deployRoot).toBe(join(work, 'root'));

    const stored = fleet.get('pi-1');
    expect(stored.probe?.facts).toEqual(facts);
    expect(stored.probe?.probedAt).toBe(probed.probedAt);
    expect(stored.status?.state).toBe('online');
    expect(stored.lastSeenAt).not.toBeNull();

    const status = only(await fleet.status(['pi-1']));
    expect(status).toMatchObject({ ok: true, state: 'online', error: null });
    expect(status.latencyMs).toBeGreaterThan(0);
    expect(status.lastSeenAt).toBe(status.checkedAt);
  });

  it('refuses a changed host key with both fingerprints, runs nothing, and replaces it only when approved', async () => {
    const moving = await startSshd();
    const f = newFleet();
    addFor(f, 'moving', moving);
    expect(only(await f.trust(['moving']))).toMatchObject({ ok: true, action: 'pinned' });
    const oldFingerprint = moving.hostFingerprint;
    await moving.restartWithNewHostKey();

    for (const outcome of [only(await f.probe(['moving'])), only(await f.status(['moving']))]) {
      const err = failure(outcome);
      expect(err.code).toBe('HOST_KEY_MISMATCH');
      expect(err.details).toMatchObject({ expected: oldFingerprint, presented: moving.hostFingerprint });
    }
    // Refused during key exchange: the new sshd never saw a login, so no command can have run.
    expect(moving.log()).not.toMatch(/Accepted|Failed publickey|Invalid user/);
    expect(f.get('moving').status?.state).toBe('host_key_problem');

    const blind = only(await f.trust(['moving']));
    expect(failure(blind).code).toBe('HOST_KEY_MISMATCH');
    expect(f.get('moving').hostKey?.fingerprint).toBe(oldFingerprint);

    const approved = only(await f.trust(['moving'], [moving.hostFingerprint]));
    expect(approved).toMatchObject({ ok: true, action: 'replaced', previousFingerprint: oldFingerprint });
    expect(only(await f.status(['moving']))).toMatchObject({ ok: true, state: 'online' });
    expect(moving.log()).toMatch(/Accepted publickey/);
  });

  it('reports wrong user and key as AUTH_FAILED, a closed port as UNREACHABLE, a silent server as TIMEOUT', async () => {
    const f = newFleet(800);
    const stranger = join(work, 'id_stranger');
    await generateKey(stranger, 'not-authorized');
    addFor(f, 'wrong-user', device, { user: 'no-such-user-edgefleet' });
    addFor(f, 'wrong-key', device, { keyPath: stranger });
    addFor(f, 'missing-key', device, { keyPath: join(work, 'no-such-key') });
    expect((await f.trust(['all'])).every((t) => t.ok)).toBe(true);

    const byName = new Map((await f.status(['all'])).map((s) => [s.device, s]));
    expect(byName.get('wrong-user')).toMatchObject({
      ok: false,
      state: 'auth_failed',
      error: { code: 'AUTH_FAILED' },
    });
    expect(byName.get('wrong-key')).toMatchObject({
      ok: false,
      state: 'auth_failed',
      error: { code: 'AUTH_FAILED' },
    });
    expect(byName.get('missing-key')).toMatchObject({
      state: 'auth_failed',
      error: { code: 'FILE_NOT_FOUND' },
    });
    expect(f.get('wrong-key').status?.error?.code).toBe('AUTH_FAILED');
    expect(f.get('wrong-key').lastSeenAt).toBeNull();

    addFor(f, 'closed', { host: '127.0.0.1', port: await closedPort() });
    let started = performance.now();
    const closed = only(await f.trust(['closed']));
    expect(failure(closed).code).toBe('UNREACHABLE');
    expect(performance.now() - started).toBeLessThan(800 + 2000);
    expect(only(await f.status(['closed']))).toMatchObject({
      state: 'offline',
      error: { code: 'UNREACHABLE' },
    });

    const silent = await startSilentTcpServer();
    addFor(f, 'silent', silent);
    started = performance.now();
    const hung = only(await f.trust(['silent']));
    const elapsed = performance.now() - started;
    expect(failure(hung).code).toBe('TIMEOUT');
    // The configured connect timeout ended it (not a hang, and not an instant refusal).
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThan(800 + 5000);
    expect(only(await f.status(['silent']))).toMatchObject({ state: 'timeout', error: { code: 'TIMEOUT' } });
    await silent.close();
  });

  it('treats a hostile deploy root and tag names literally (nothing else runs)', async () => {
    const f = newFleet();
    const pwned = ['pwn-root', 'pwn-tag1', 'pwn-tag2', 'pwn-tag3'].map((n) => join(work, n));
    const root = join(work, `dr a'b"c$(touch ${pwned[0]});d`);
    const tags = [
      'a b',
      "it's",
      `$(touch ${pwned[1]})`,
      `x; touch ${pwned[2]}`,
      `\`touch ${pwned[3]}\``,
      '"quoted"',
    ];
    addFor(f, 'hostile', device, { deployRoot: root, tags });
    expect(f.get('hostile').tags).toEqual([...tags].sort());
    expect(only(await f.trust([`tag:x; touch ${pwned[2]}`]))).toMatchObject({ ok: true });
    const probed = only(await f.probe([`tag:$(touch ${pwned[1]})`]));
    if (!probed.ok) throw new Error(JSON.stringify(probed.error));
    expect(probed.facts.disk.deployRoot).toBe(root);
    expect(only(await f.status(["tag:it's"]))).toMatchObject({ ok: true });
    expect(f.list({ tag: '"quoted"' }).map((d) => d.name)).toEqual(['hostile']);

    for (const format of ['csv', 'ansible-ini', 'ansible-yaml'] as const) {
      const copy = newFleet();
      copy.importText(f.export(format).text, format);
      const back = copy.get('hostile');
      expect({ format, tags: back.tags, root: back.deployRoot }).toEqual({
        format,
        tags: [...tags].sort(),
        root,
      });
    }
    for (const p of pwned) expect(existsSync(p)).toBe(false);
  });

  it('reaches devices through a jump device and through user@host:port, pinning each key', async () => {
    // DEBUG1 makes the gateway log each tunnel it opens: proof that traffic went through it.
    const gw = await startSshd({ extraConfig: 'LogLevel DEBUG1' });
    const gw2 = await startSshd({ extraConfig: 'LogLevel DEBUG1' });
    const inner = await startSshd();
    const f = newFleet();
    addFor(f, 'gateway', gw);
    addFor(f, 'behind', inner, { jump: 'gateway' });
    addFor(f, 'adhoc', inner, { jump: `${device.username}@127.0.0.1:${gw2.port}` });

    const scans = await f.scanHostKeys(['behind', 'adhoc']);
    // The ad-hoc jump host's key is shown; the device behind it waits until the jump host is trusted.
    expect(scans.find((s) => s.device === 'adhoc' && s.role === 'jump')).toMatchObject({
      ok: true,
      fingerprint: gw2.hostFingerprint,
    });
    expect(scans.find((s) => s.device === 'adhoc' && s.role === 'device')).toMatchObject({ ok: false });

    // One call: the gateway is trusted first, then the devices behind it.
    const trusted = await f.trust(['all']);
    expect(trusted.map((t) => [t.device, t.ok])).toEqual([
      ['adhoc', true],
      ['behind', true],
      ['gateway', true],
    ]);
    const adhoc = trusted.find((t) => t.device === 'adhoc') as Extract<TrustOutcome, { ok: true }>;
    expect(adhoc.jump).toEqual({ action: 'pinned', fingerprint: gw2.hostFingerprint });
    expect(adhoc.fingerprint).toBe(inner.hostFingerprint);
    expect(f.get('behind').hostKey?.fingerprint).toBe(inner.hostFingerprint);

    const status = await f.status(['behind', 'adhoc']);
    expect(status.map((s) => s.state)).toEqual(['online', 'online']);
    // Each really went through its jump host: that sshd opened a tunnel to the inner one.
    const tunnel = `direct_tcpip: originator 127.0.0.1 port 0, target 127.0.0.1 port ${inner.port}`;
    expect(gw.log()).toContain(tunnel);
    expect(gw2.log()).toContain(tunnel);
    expect(inner.log()).toMatch(/Accepted publickey/);

    expect(() => f.update('gateway', { jump: 'behind' })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
    expect(() => f.remove('gateway')).toThrow(expect.objectContaining({ code: 'DEVICE_IN_USE' }));
    f.update('gateway', { name: 'gw' });
    expect(f.get('behind').jump).toBe('gw');
    expect(only(await f.status(['behind']))).toMatchObject({ ok: true });
  });
});

describe('secrets asked at use', () => {
  it('needs a password for password devices and a passphrase for encrypted keys; never stores them', async () => {
    const encrypted = join(work, 'id_encrypted');
    const encryptedPub = await generateKey(encrypted, 'encrypted', 'correct horse');
    const client = await sharedClientKey();
    const locked = await startSshd({ authorizedKeys: [client.publicKey, encryptedPub] });
    const secrets = tempDatabase('ef-fleet-secrets-');
    const f = newFleet(3000, secrets.db);
    addFor(f, 'pw', locked, { authMethod: 'password' });
    addFor(f, 'enc', locked, { keyPath: encrypted });
    await f.trust(['all']);

    expect(f.secretNeeds(f.resolve(['all']))).toEqual([
      { kind: 'password', device: 'pw', deviceId: f.get('pw').id },
      { kind: 'passphrase', keyPath: encrypted, devices: ['enc'] },
    ]);

    const before = await f.status(['all']);
    expect(before.map((s) => [s.device, s.state, s.error?.code])).toEqual([
      ['enc', 'auth_failed', 'SECRET_REQUIRED'],
      ['pw', 'auth_failed', 'SECRET_REQUIRED'],
    ]);
    expect(before[0]?.error?.details).toMatchObject({ kind: 'passphrase', keyPath: encrypted });

    f.provideSecret('enc', 'passphrase', 'wrong');
    expect(only(await f.status(['enc'])).error?.details).toMatchObject({ reason: 'bad-passphrase' });
    expect(f.secretNeeds([f.get('enc')])).toHaveLength(1);
    f.provideSecret('enc', 'passphrase', 'correct horse');
    expect(only(await f.status(['enc']))).toMatchObject({ ok: true, state: 'online' });

    // The test sshd refuses passwords: the password was offered and rejected by the server.
    f.provideSecret('pw', 'password', 'hunter2');
    expect(f.secretNeeds([f.get('pw')])).toEqual([]);
    expect(only(await f.status(['pw']))).toMatchObject({
      state: 'auth_failed',
      error: { code: 'AUTH_FAILED' },
    });
    const dbText = readFileSync(secrets.file).toString('latin1');
    expect(dbText).not.toContain('hunter2');
    expect(dbText).not.toContain('correct horse');
  });
});

describe('many devices', () => {
  it('checks and probes 50 device entries on 5 sshd with bounded concurrency and progress', async () => {
    const sshds = await Promise.all(Array.from({ length: 5 }, () => startSshd()));
    const f = newFleet();
    const rows = ['name,host,port,user,key_path,tags'];
    sshds.forEach((s, i) => {
      for (let j = 0; j < 10; j++) {
        rows.push(
          `dev-${i}-${j},${s.host},${s.port},${s.username},${device.clientKeyPath},"rack-${i},fifty"`,
        );
      }
    });
    expect(f.importText(rows.join('\n'), 'csv').counts.added).toBe(50);
    const trusted = await f.trust(['tag:fifty']);
    expect(trusted.filter((t) => t.ok)).toHaveLength(50);

    const track = () => {
      const seen: FleetProgress[] = [];
      return {
        seen,
        onProgress: (p: FleetProgress) => seen.push(p),
        peak: () => Math.max(...seen.map((p) => p.running)),
      };
    };
    const s = track();
    const status: StatusOutcome[] = await f.status(['tag:fifty'], {
      concurrency: 8,
      onProgress: s.onProgress,
    });
    expect(status.filter((o) => o.state === 'online')).toHaveLength(50);
    expect(s.peak()).toBeLessThanOrEqual(8);
    expect(s.peak()).toBeGreaterThan(1);
    expect(s.seen.at(-1)).toMatchObject({ done: 50, total: 50, running: 0 });

    const p = track();
    const probed: ProbeOutcome[] = await f.probe(['tag:fifty'], { onProgress: p.onProgress });
    expect(probed.filter((o) => o.ok)).toHaveLength(50);
    expect(new Set(probed.map((o) => (o.ok ? o.facts.arch : null)))).toEqual(new Set([unameM]));
    expect(p.peak()).toBeLessThanOrEqual(16);
    expect(f.list({ tag: 'rack-3' }).every((d) => d.probe !== null && d.status?.state === 'online')).toBe(
      true,
    );
  });

  it('cancels: devices not started are CANCELLED and their status is left alone', async () => {
    const controller = new AbortController();
    controller.abort();
    const fleet = newFleet();
    addFor(fleet, 'pi-1', device);
    const before = fleet.get('pi-1').status;
    const outcomes = await fleet.status(['pi-1'], { signal: controller.signal });
    expect(outcomes[0]?.error?.code).toBe('CANCELLED');
    expect(fleet.get('pi-1').status).toEqual(before);
  });
});
