import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyEvent } from '../../shared/contract';
import { contract } from '../../shared/contract';
import type { Result } from '../../shared/result';
import type { SshdDevice } from '../../test/fixtures/sshd';
import { startSshd, stopAllSshd } from '../../test/fixtures/sshd';
import { createSilentLogger } from '../core/logger';
import { createServices, type Services } from '../core/services';
import { createDispatcher, type Dispatch } from './dispatcher';
import { createHandlers } from './handlers';
import { KeyPathPolicy } from '../core/fleet/devices/key-path-policy';

/** The devices.* methods as the UI calls them: through the dispatcher, with jobs and events. */

const work = mkdtempSync(join(tmpdir(), 'ef-devices-contract-'));
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

/** Starts a job method and resolves with its checked result once `job.done` arrives. */
async function job(method: keyof typeof contract, params: unknown): Promise<unknown> {
  const { jobId } = z.object({ jobId: z.string() }).parse(await call(method, params));
  await expect
    .poll(() => events.some((e) => e.name !== 'job.progress' && e.payload.jobId === jobId), {
      timeout: 30_000,
    })
    .toBe(true);
  const end = events.find((e) => e.name !== 'job.progress' && e.payload.jobId === jobId);
  if (end?.name !== 'job.done') throw new Error(`job failed: ${JSON.stringify(end)}`);
  const spec = contract[method] as { job?: z.ZodType };
  return spec.job?.parse(end.payload.result);
}

beforeAll(async () => {
  device = await startSshd();
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
  services.jobs.subscribe((e) => events.push(e));
  dispatch = createDispatcher(createHandlers(services, { kind: 'web' }, new KeyPathPolicy([tmpdir()])));
});
afterAll(async () => {
  await services?.close();
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

describe('devices.* over the dispatcher', () => {
  it('adds, scans, trusts with the shown fingerprint, probes and checks status with progress events', async () => {
    await call('devices.add', {
      name: 'pi-1',
      host: device.host,
      port: device.port,
      user: device.username,
      keyPath: device.clientKeyPath,
      deployRoot: join(work, 'root'),
      tags: ['lab'],
    });
    const [scan] = (await job('devices.scanHostKeys', { targets: ['tag:lab'] })) as { fingerprint: string }[];
    expect(scan?.fingerprint).toBe(device.hostFingerprint);
    const trusted = await call('devices.trust', {
      devices: [{ ref: 'pi-1', fingerprints: [device.hostFingerprint] }],
    });
    expect(trusted).toMatchObject([{ ok: true, action: 'pinned' }]);

    const probed = (await job('devices.probe', { targets: ['all'] })) as { ok: boolean }[];
    expect(probed).toMatchObject([{ ok: true, device: 'pi-1' }]);
    expect(
      events.some(
        (e) => e.name === 'job.progress' && e.payload.kind === 'devices.probe' && e.payload.percent === 100,
      ),
    ).toBe(true);
    expect(await job('devices.status', { targets: ['pi-1'] })).toMatchObject([{ state: 'online' }]);

    const listed = (await call('devices.list', { tag: 'lab' })) as {
      probe: unknown;
      status: { state: string };
    }[];
    expect(listed[0]?.probe).not.toBeNull();
    expect(listed[0]?.status.state).toBe('online');
    expect(await call('devices.tag', { refs: ['pi-1'], add: ['x y'], remove: ['lab'] })).toMatchObject([
      { tags: ['x y'] },
    ]);
    expect(await call('devices.update', { ref: 'pi-1', patch: { notes: 'shelf' } })).toMatchObject({
      notes: 'shelf',
    });
  });

  it('refuses bad payloads and unknown targets before any work starts', async () => {
    await expect(call('devices.add', { name: 'bad name', host: 'h' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(call('devices.probe', { targets: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(call('devices.probe', { targets: ['nope'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      call('devices.provideSecret', { ref: 'pi-1', kind: 'password', secret: '' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('trusts only the fingerprints the user saw for each device: none given, another key, or a key changed since the scan are refused', async () => {
    const other = await startSshd();
    await call('devices.add', {
      name: 'pi-seen',
      host: other.host,
      port: other.port,
      user: other.username,
      keyPath: other.clientKeyPath,
    });
    await expect(call('devices.trust', { targets: ['pi-seen'] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(
      call('devices.trust', { devices: [{ ref: 'pi-seen', fingerprints: [] }] }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const [scan] = (await job('devices.scanHostKeys', { targets: ['pi-seen'] })) as { fingerprint: string }[];
    const seen = scan?.fingerprint ?? '';
    await other.restartWithNewHostKey();
    expect(other.hostFingerprint).not.toBe(seen);
    const refused = await call('devices.trust', { devices: [{ ref: 'pi-seen', fingerprints: [seen] }] });
    expect(refused).toMatchObject([{ ok: false, error: { code: 'HOST_KEY_CHANGED' } }]);
    expect(await call('devices.get', { ref: 'pi-seen' })).toMatchObject({ hostKey: null });

    const pinned = await call('devices.trust', {
      devices: [{ ref: 'pi-seen', fingerprints: [other.hostFingerprint] }],
    });
    expect(pinned).toMatchObject([{ ok: true, action: 'pinned', fingerprint: other.hostFingerprint }]);
    await call('devices.remove', { ref: 'pi-seen' });
  });

  it('checks a key file at add time: missing, a directory, or present', async () => {
    await expect(call('devices.checkKeyFile', { path: join(work, 'no-such-key') })).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    await expect(call('devices.checkKeyFile', { path: '/etc/shadow' })).rejects.toMatchObject({
      code: 'KEY_FILE_NOT_ALLOWED',
    });
    await expect(call('devices.checkKeyFile', { path: work })).rejects.toMatchObject({
      code: 'FILE_UNREADABLE',
    });
    await expect(call('devices.checkKeyFile', { path: ' ' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await call('devices.checkKeyFile', { path: device.clientKeyPath })).toEqual({
      path: device.clientKeyPath,
    });
  });

  it('imports a granted file and exports text', async () => {
    const path = join(work, 'inventory.csv');
    writeFileSync(path, 'name,host,tags\ncam-1,10.0.0.7,"cams,night shift"\n');
    const { fileRef } = await services.files.grantPath(path);
    const report = await call('devices.import', { fileRef });
    expect(report).toMatchObject({ format: 'csv', applied: true, counts: { added: 1 } });
    // The reference is used up: the renderer cannot re-read files through it.
    await expect(call('devices.import', { fileRef })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const exported = (await call('devices.export', { format: 'ansible-ini', tag: 'cams' })) as {
      text: string;
    };
    expect(exported.text).toMatch(/^cam-1 ansible_host=10\.0\.0\.7 /m);
    expect(exported.text).toContain('[cams]');
    expect(await call('devices.remove', { ref: 'cam-1' })).toMatchObject({ name: 'cam-1' });
  });
});
