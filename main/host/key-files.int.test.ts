import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyEvent } from '../../shared/contract';
import type { Result } from '../../shared/result';
import type { SshdDevice } from '../../test/fixtures/sshd';
import { startSshd, stopAllSshd } from '../../test/fixtures/sshd';
import { KeyPathPolicy } from '../core/fleet/devices/key-path-policy';
import { maxKeyFileBytes, readKeyFile } from '../core/fleet/ssh/key-file';
import { createSilentLogger } from '../core/logger';
import { createServices, type Services } from '../core/services';
import { createDispatcher, type Dispatch } from './dispatcher';
import { createHandlers } from './handlers';

/**
 * Issue 15 item 2: the untrusted UI names key files only under ~/.ssh (here a temp stand-in) or chosen in a
 * dialog, and whatever is named is read as a small regular file under the connect deadline and cancel.
 */

const work = mkdtempSync(join(tmpdir(), 'ef-key-files-'));
const sshDir = join(work, 'home', '.ssh');
let services: Services;
let dispatch: Dispatch;
let device: SshdDevice;
const events: AnyEvent[] = [];
const ctx = { transport: 'web' as const };

async function call(method: string, params: unknown): Promise<unknown> {
  const result = (await dispatch(method, params, ctx)) as Result<unknown>;
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value;
}

const statusSchema = z.array(
  z.object({ state: z.string(), error: z.object({ code: z.string(), message: z.string() }).nullable() }),
);

/** Runs devices.status for one device and returns its outcome once the job ends. */
async function status(name: string): Promise<z.infer<typeof statusSchema>[number] | undefined> {
  const { jobId } = z.object({ jobId: z.string() }).parse(await call('devices.status', { targets: [name] }));
  await expect
    .poll(() => events.some((e) => e.name !== 'job.progress' && e.payload.jobId === jobId), {
      timeout: 20_000,
    })
    .toBe(true);
  const end = events.find((e) => e.name === 'job.done' && e.payload.jobId === jobId);
  if (end?.name !== 'job.done') throw new Error('the status job failed');
  return statusSchema.parse(end.payload.result)[0];
}

function addDevice(name: string, keyPath: string): Promise<unknown> {
  return call('devices.add', {
    name,
    host: device.host,
    port: device.port,
    user: device.username,
    keyPath,
  });
}

async function addTrusted(name: string, keyPath: string): Promise<void> {
  await addDevice(name, keyPath);
  await call('devices.trust', { devices: [{ ref: name, fingerprints: [device.hostFingerprint] }] });
}

beforeAll(async () => {
  mkdirSync(sshDir, { recursive: true });
  device = await startSshd();
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
  services.jobs.subscribe((e) => events.push(e));
  const policy = new KeyPathPolicy([sshDir], (p) => services.files.isChosen(p));
  dispatch = createDispatcher(createHandlers(services, { kind: 'web' }, policy));
});
afterAll(async () => {
  await services?.close();
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

describe('key files named by the UI', () => {
  it('refuses a path outside ~/.ssh with the same answer whether or not it exists, and writes nothing', async () => {
    const secret = join(work, 'shadow');
    writeFileSync(secret, 'root:$6$secret:19000:0:99999:7:::\n');
    const answers = [];
    for (const keyPath of [secret, join(work, 'no-such-file'), `${sshDir}/../../shadow`]) {
      const err = await addDevice('probe-target', keyPath).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'KEY_FILE_NOT_ALLOWED' });
      answers.push((err as Error).message.replace(keyPath, '<path>'));
    }
    expect(new Set(answers).size).toBe(1);
    await expect(
      call('devices.update', { ref: 'nobody', patch: { keyPath: '/etc/shadow' } }),
    ).rejects.toMatchObject({ code: 'KEY_FILE_NOT_ALLOWED' });
    expect(await call('devices.list', {})).toEqual([]);
  });

  it('rejects inventory rows whose key path is outside ~/.ssh, importing nothing', async () => {
    const path = join(work, 'inventory.csv');
    writeFileSync(path, 'name,host,key_path\ncam-1,10.0.0.7,/etc/shadow\n');
    const { fileRef } = await services.files.grantPath(path);
    await expect(call('devices.import', { fileRef })).rejects.toMatchObject({ code: 'IMPORT_INVALID' });
    expect(await call('devices.list', {})).toEqual([]);
  });

  it('accepts a key under ~/.ssh, and a file chosen in the dialog elsewhere, and connects with it', async () => {
    const inSsh = join(sshDir, 'id_ed25519');
    copyFileSync(device.clientKeyPath, inSsh);
    await addTrusted('ok-ssh', inSsh);
    expect(await status('ok-ssh')).toMatchObject({ state: 'online', error: null });

    await services.files.grantPath(device.clientKeyPath);
    await addTrusted('ok-chosen', device.clientKeyPath);
    expect(await status('ok-chosen')).toMatchObject({ state: 'online', error: null });
  });

  it('never reads a device, a FIFO or an oversized file as a key: each status ends at once with a code', async () => {
    symlinkSync('/dev/zero', join(sshDir, 'zero'));
    execFileSync('mkfifo', [join(sshDir, 'fifo')]);
    writeFileSync(join(sshDir, 'big'), Buffer.alloc(maxKeyFileBytes + 1024, 0x41));
    const expected: [string, string][] = [
      ['zero', 'KEY_FILE_NOT_REGULAR'],
      ['fifo', 'KEY_FILE_NOT_REGULAR'],
      ['big', 'KEY_FILE_TOO_LARGE'],
    ];
    for (const [name, code] of expected) {
      await addTrusted(`dev-${name}`, join(sshDir, name));
      const started = performance.now();
      const outcome = await status(`dev-${name}`);
      expect(outcome?.error).toMatchObject({ code });
      expect(outcome?.error?.message).toMatch(/Choose the private key file/);
      expect(performance.now() - started).toBeLessThan(10_000);
    }
  });
});

describe('readKeyFile', () => {
  it('refuses /proc files, devices and FIFOs, and ends on cancel or at the deadline', async () => {
    await expect(readKeyFile('/proc/self/environ')).rejects.toMatchObject({ code: 'KEY_FILE_NOT_REGULAR' });
    await expect(readKeyFile('/dev/zero')).rejects.toMatchObject({ code: 'KEY_FILE_NOT_REGULAR' });
    const fifo = join(work, 'fifo-direct');
    execFileSync('mkfifo', [fifo]);
    await expect(readKeyFile(fifo)).rejects.toMatchObject({ code: 'KEY_FILE_NOT_REGULAR' });
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(readKeyFile(device.clientKeyPath, { signal: cancelled.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    await expect(
      readKeyFile(device.clientKeyPath, { deadline: performance.now() - 1 }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect((await readKeyFile(device.clientKeyPath)).toString()).toContain('PRIVATE KEY');
  });
});
