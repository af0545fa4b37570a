import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  deviceSchema,
  exportResultSchema,
  importReportSchema,
  probeOutcomeSchema,
  statusOutcomeSchema,
  trustOutcomeSchema,
} from '../../../shared/schemas/fleet';
import type { SshdDevice } from '../../../test/fixtures/sshd';
import {
  closedPort,
  generateKey,
  sharedClientKey,
  startSshd,
  stopAllSshd,
} from '../../../test/fixtures/sshd';

const bin = fileURLToPath(new URL('../../../bin/edgefleet.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ef-cli-devices-'));
const dataDir = join(work, 'data');
let device: SshdDevice;

type Run = { code: number | null; stdout: string; stderr: string };

/** The real command, as a script runs it: argv straight to the process, no shell, no terminal. */
function edgefleet(args: string[], data = dataDir): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, '--data-dir', data, ...args],
      { encoding: 'utf8', env: { ...process.env, EDGEFLEET_HOME: '' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
const json = (args: string[], data = dataDir) => edgefleet(['--json', ...args], data);
const errorOf = (r: Run) =>
  z
    .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
    .parse(JSON.parse(r.stdout)).error;

/** The CLI's database, read directly: the inventory as it really is on disk. */
function tableRows(data: string): unknown[] {
  const db = new BetterSqlite3(join(data, 'edgefleet.db'), { readonly: true });
  try {
    return [
      db.prepare('SELECT * FROM devices ORDER BY id').all(),
      db.prepare('SELECT * FROM device_tags ORDER BY device_id, tag').all(),
    ];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  device = await startSshd();
});
afterAll(async () => {
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

describe('edgefleet devices', () => {
  it('adds a device, refuses it until trusted, trusts, probes and checks it', async () => {
    const pwned = join(work, 'pwned');
    const root = join(work, `deploy root'$(touch ${pwned});x`);
    const added = await json([
      'devices',
      'add',
      '--name',
      'pi-1',
      '--host',
      device.host,
      '--port',
      String(device.port),
      '--user',
      device.username,
      '--key',
      device.clientKeyPath,
      '--tag',
      'a b',
      '--tag',
      `x;touch ${pwned}`,
      '--deploy-root',
      root,
      '--restart-cmd',
      'systemctl restart edge',
      '--health-cmd',
      'true',
    ]);
    expect(added.code).toBe(0);
    const d = deviceSchema.parse(JSON.parse(added.stdout));
    expect(d).toMatchObject({
      name: 'pi-1',
      tags: ['a b', `x;touch ${pwned}`],
      deployRoot: root,
      hostKey: null,
    });

    const untrusted = await json(['devices', 'probe', 'pi-1']);
    expect(untrusted.code).toBe(1);
    expect(errorOf(untrusted)).toMatchObject({
      code: 'HOST_KEY_UNKNOWN',
      details: { fingerprint: device.hostFingerprint, device: 'pi-1' },
    });

    const wrong = await json(['devices', 'trust', 'pi-1', '--fingerprint', 'SHA256:notTheKeyAtAll']);
    expect(wrong.code).toBe(1);
    expect(errorOf(wrong).code).toBe('FINGERPRINT_MISMATCH');

    // No terminal and neither --yes nor --fingerprint: a usage error that says so, and nothing pinned.
    const blind = await edgefleet(['devices', 'trust', 'pi-1']);
    expect(blind.code).toBe(2);
    expect(blind.stderr).toMatch(/--fingerprint SHA256:.*--yes/s);
    expect(errorOf(await json(['devices', 'probe', 'pi-1'])).code).toBe('HOST_KEY_UNKNOWN');

    // --yes: the keys are shown on stderr and the shown keys are pinned.
    const trusted = await edgefleet(['devices', 'trust', 'pi-1', '--yes']);
    expect(trusted.code).toBe(0);
    expect(trusted.stderr).toContain(device.hostFingerprint);
    expect(trusted.stdout).toMatch(/pi-1\s+pinned\s+SHA256:/);

    const probed = await json(['devices', 'probe', `tag:x;touch ${pwned}`]);
    expect(probed.code).toBe(0);
    const [facts] = z.array(probeOutcomeSchema).parse(JSON.parse(probed.stdout));
    expect(facts).toMatchObject({ ok: true, device: 'pi-1' });
    if (facts?.ok) expect(facts.facts.disk.deployRoot).toBe(root);

    const status = await edgefleet(['devices', 'status', 'all']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/pi-1\s+online\s+\d+ ms/);
    expect(status.stderr).toContain('status 1/1: pi-1 ok');

    const shown = await edgefleet(['devices', 'show', 'pi-1']);
    expect(shown.stdout).toContain(device.hostFingerprint);
    expect(shown.stdout).toMatch(/arch\s+\S+/);
    expect(existsSync(pwned)).toBe(false);
  });

  it('exits 1 with HOST_KEY_MISMATCH and both fingerprints when the key changed', async () => {
    const old = device.hostFingerprint;
    await device.restartWithNewHostKey();
    const r = await json(['devices', 'status', 'pi-1']);
    expect(r.code).toBe(1);
    expect(errorOf(r)).toMatchObject({
      code: 'HOST_KEY_MISMATCH',
      details: { expected: old, presented: device.hostFingerprint },
    });
    expect(device.log()).not.toMatch(/Accepted/);
    const replaced = await json(['devices', 'trust', 'pi-1', '--fingerprint', device.hostFingerprint]);
    expect(replaced.code).toBe(0);
    expect(z.array(trustOutcomeSchema).parse(JSON.parse(replaced.stdout))[0]).toMatchObject({
      action: 'replaced',
      previousFingerprint: old,
    });
  });

  it('reports each device of a bulk operation, and exits 1 when one failed', async () => {
    const add = await json([
      'devices',
      'add',
      '--name',
      'gone',
      '--host',
      '127.0.0.1',
      '--port',
      String(await closedPort()),
      '--tag',
      'lab',
    ]);
    expect(add.code).toBe(0);
    const edited = await json([
      'devices',
      'edit',
      'gone',
      '--remove-tag',
      'lab',
      '--add-tag',
      'far away',
      '--notes',
      'n',
    ]);
    expect(edited.code).toBe(0);
    expect(deviceSchema.parse(JSON.parse(edited.stdout))).toMatchObject({ tags: ['far away'], notes: 'n' });
    const [asJson, asText] = await Promise.all([
      json(['devices', 'status', 'all', '--connect-timeout', '2']),
      edgefleet(['devices', 'status', 'all', '--concurrency', '1']),
    ]);
    expect(asJson.code).toBe(1);
    const outcomes = z.array(statusOutcomeSchema).parse(JSON.parse(asJson.stdout));
    expect(outcomes.map((o) => [o.device, o.state])).toEqual([
      ['gone', 'offline'],
      ['pi-1', 'online'],
    ]);
    expect(asJson.stderr).toBe('');
    expect(asText.code).toBe(1);
    expect(asText.stdout).toMatch(/gone\s+offline/);
    expect(asText.stderr).toContain('1 device(s) failed');
  });

  it('exits 2 on usage errors', async () => {
    const runs = await Promise.all([
      edgefleet(['devices', 'add', '--name', 'x']),
      edgefleet(['devices', 'add', '--name', 'x', '--host', 'h', '--key', 'k', '--agent']),
      json(['devices', 'export']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(runs[0]?.stderr).toContain("required option '--host <host>'");
    expect(runs[1]?.stderr).toContain('cannot be used with');
    expect(errorOf(runs[2] as Run).code).toBe('USAGE');
  });

  it('exports and imports files; a malformed file is refused whole, and the inventory stays as it was', async () => {
    const exported = await json(['devices', 'export', '--format', 'ansible-yaml']);
    expect(exported.code).toBe(0);
    const { text } = exportResultSchema.parse(JSON.parse(exported.stdout));
    const yamlPath = join(work, 'fleet.yml');
    writeFileSync(yamlPath, text);
    const other = join(work, 'other-data');
    const imported = await json(['devices', 'import', yamlPath], other);
    expect(imported.code).toBe(0);
    expect(importReportSchema.parse(JSON.parse(imported.stdout)).counts).toMatchObject({
      added: 2,
      rejected: 0,
    });

    const csv = join(work, 'bad.csv');
    writeFileSync(csv, 'name,host,port\nnew-1,10.0.0.1,22\nnew-2,10.0.0.2,not-a-port\n');
    const before = tableRows(other);
    const [bad, badText] = await Promise.all([
      json(['devices', 'import', csv], other),
      edgefleet(['devices', 'import', csv], other),
    ]);
    expect(bad.code).toBe(1);
    const err = errorOf(bad);
    expect(err.code).toBe('IMPORT_INVALID');
    const report = importReportSchema.parse((err.details as { report: unknown }).report);
    expect(report.rows.map((r) => [r.line, r.action])).toEqual([
      [2, 'added'],
      [3, 'rejected'],
    ]);
    expect(badText.code).toBe(1);
    expect(badText.stderr).toMatch(/3\s+new-2\s+rejected\s+port/);
    expect(tableRows(other)).toEqual(before);

    const ini = await edgefleet(['devices', 'export', '--format', 'ansible-ini', '--tag', 'a b'], other);
    expect(ini.code).toBe(0);
    expect(ini.stdout).toMatch(/^pi-1 ansible_host=127\.0\.0\.1 /m);
    expect(ini.stdout).not.toContain('gone');
    expect(readFileSync(yamlPath, 'utf8')).toContain('ansible_ssh_private_key_file');
  });

  it('asks for a key passphrase on the terminal without echoing it, and refuses without a terminal', async () => {
    const key = join(work, 'id_encrypted');
    const pub = await generateKey(key, 'encrypted', 'correct horse');
    const locked = await startSshd({ authorizedKeys: [(await sharedClientKey()).publicKey, pub] });
    const data = join(work, 'tty-data');
    const add = ['devices', 'add', '--name', 'enc', '--host', locked.host, '--port', String(locked.port)];
    expect((await edgefleet([...add, '--user', locked.username, '--key', key], data)).code).toBe(0);
    expect((await edgefleet(['devices', 'trust', 'enc', '--yes'], data)).code).toBe(0);

    const noTerminal = await json(['devices', 'status', 'enc'], data);
    expect(noTerminal.code).toBe(1);
    expect(errorOf(noTerminal)).toMatchObject({
      code: 'SECRET_REQUIRED',
      details: { kind: 'passphrase', keyPath: key },
    });

    // util-linux `script` gives the command a real pseudo-terminal; the passphrase is typed once asked.
    const line = [process.execPath, bin, '--data-dir', data, 'devices', 'status', 'enc']
      .map((a) => `'${a.replaceAll("'", `'\\''`)}'`)
      .join(' ');
    const child = spawn('script', ['-qec', `${line}; echo EXIT=$?`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let typed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      if (!typed && screen.includes(`Passphrase for ${key}: `)) {
        typed = true;
        child.stdin.write('correct horse\r');
      }
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(screen).toMatch(/enc\s+online/);
    expect(screen).toContain('EXIT=0');
    expect(screen).not.toContain('correct horse');
  });
});
