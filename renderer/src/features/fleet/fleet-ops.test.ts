import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { ProbeOutcome, StatusOutcome } from '../../../../shared/schemas/fleet';
import { createClient } from '../../api/client';
import { createFakeTransport } from '../../testing/fake-transport';
import { createOpsStore, secretNeedsIn, untrustedIn, type OpOutcome } from './fleet-ops';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const checkedAt = '2025-06-01T12:00:00.000Z';

function status(device: string, patch: Partial<StatusOutcome>): StatusOutcome {
  return {
    device,
    deviceId: `d_${device}`,
    ok: false,
    state: 'offline',
    latencyMs: null,
    checkedAt,
    lastSeenAt: null,
    error: { code: 'UNREACHABLE', message: 'nothing listens' },
    ...patch,
  };
}

describe('the operations store', () => {
  it('runs a status job with progress, then keeps one outcome per device and refreshes the list', async () => {
    const fake = createFakeTransport({ 'devices.status': () => ({ ok: true, value: { jobId: 'j1' } }) });
    const queryClient = new QueryClient();
    let refreshed = 0;
    queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'invalidate') refreshed++;
    });
    queryClient.setQueryData(['devices.list'], []);
    const store = createOpsStore(createClient(fake.transport));
    const done = store.start('status', ['d_a', 'd_b'], queryClient);
    await tick();
    expect(fake.calls).toEqual([{ method: 'devices.status', params: { targets: ['d_a', 'd_b'] } }]);
    fake.emit({
      name: 'job.progress',
      payload: { jobId: 'j1', kind: 'devices.status', phase: 'status 1/2', percent: 50, message: 'a: ok' },
    });
    expect(store.get()).toMatchObject({
      status: 'running',
      kind: 'status',
      count: 2,
      phase: 'status 1/2',
      percent: 50,
    });
    const result = [status('a', { ok: true, state: 'online', latencyMs: 3.2, error: null }), status('b', {})];
    fake.emit({ name: 'job.done', payload: { jobId: 'j1', kind: 'devices.status', result } });
    const final = await done;
    expect(final).toBe(store.get());
    expect(final).toMatchObject({
      status: 'done',
      outcomes: [
        { deviceId: 'd_a', ok: true, summary: 'online, 3.2 ms', error: null },
        { deviceId: 'd_b', ok: false, summary: 'offline', error: { code: 'UNREACHABLE' } },
      ],
    });
    expect(refreshed).toBe(1);
    store.dismiss();
    expect(store.get()).toEqual({ status: 'idle' });
  });

  it('reports a failed start as a failed operation, not a rejection', async () => {
    const fake = createFakeTransport({
      'devices.probe': () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'No device named "x".' } }),
    });
    const store = createOpsStore(createClient(fake.transport));
    const final = await store.start('probe', ['x'], new QueryClient());
    expect(final).toMatchObject({ status: 'failed', kind: 'probe', error: { code: 'NOT_FOUND' } });
  });

  it('collects the devices whose probe stopped at an unknown host key', async () => {
    const fake = createFakeTransport({ 'devices.probe': () => ({ ok: true, value: { jobId: 'p1' } }) });
    const store = createOpsStore(createClient(fake.transport));
    const done = store.start('probe', ['d_a'], new QueryClient());
    await tick();
    const failed: ProbeOutcome = {
      device: 'a',
      deviceId: 'd_a',
      ok: false,
      error: { code: 'HOST_KEY_UNKNOWN', message: 'not trusted', details: { fingerprint: 'SHA256:x' } },
    };
    fake.emit({ name: 'job.done', payload: { jobId: 'p1', kind: 'devices.probe', result: [failed] } });
    const final = await done;
    expect(final.status === 'done' && untrustedIn(final.outcomes)).toEqual(['d_a']);
  });
});

describe('secretNeedsIn', () => {
  it('asks once per password device and once per key file', () => {
    const need = (deviceId: string, details: Record<string, unknown>): OpOutcome => ({
      deviceId,
      device: deviceId.slice(2),
      ok: false,
      summary: 'auth failed',
      error: { code: 'SECRET_REQUIRED', message: 'needed', details },
    });
    const outcomes = [
      need('d_pw', { kind: 'password' }),
      need('d_k1', { kind: 'passphrase', keyPath: '/keys/id' }),
      need('d_k2', { kind: 'passphrase', keyPath: '/keys/id' }),
      { deviceId: 'd_ok', device: 'ok', ok: true, summary: 'online', error: null },
    ];
    expect(secretNeedsIn(outcomes)).toEqual([
      { kind: 'password', deviceId: 'd_pw', deviceIds: ['d_pw'], label: 'Password of pw' },
      {
        kind: 'passphrase',
        deviceId: 'd_k1',
        deviceIds: ['d_k1', 'd_k2'],
        label: 'Passphrase of the key /keys/id',
      },
    ]);
    expect(untrustedIn(outcomes)).toEqual([]);
  });
});
