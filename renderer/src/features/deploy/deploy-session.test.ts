import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../api/client';
import { createFakeTransport } from '../../testing/fake-transport';
import { createDeploySessionStore } from './deploy-session';
import {
  sampleDeviceResult,
  samplePreview,
  sampleProgress,
  sampleReport,
} from '../../testing/deploy-results';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(extra: Parameters<typeof createFakeTransport>[0] = {}) {
  const fake = createFakeTransport({ 'deploy.run': () => ({ ok: true, value: { jobId: 'j1' } }), ...extra });
  const client = createClient(fake.transport);
  const store = createDeploySessionStore(client);
  const form = {
    ...store.get().form,
    modelId: 'm_1',
    targets: { all: false, tags: ['lab'], devices: [] },
  };
  return { fake, store, form, queryClient: new QueryClient() };
}

describe('deploy session', () => {
  it('moves rows with the per-device detail of job progress, then settles on the report', async () => {
    const { fake, store, form, queryClient } = setup();
    const done = store.start(form, 'small-cnn', samplePreview(), queryClient);
    const run = store.get().run;
    expect(run.status).toBe('running');
    if (run.status !== 'running') return;
    expect(run.request.targets).toEqual(['tag:lab']);
    expect(run.rows.map((r) => r.status)).toEqual(['pending', 'pending']);
    await wait(0);
    expect(fake.calls[0]).toEqual({
      method: 'deploy.run',
      params: {
        model: 'm_1',
        targets: ['tag:lab'],
        options: { concurrency: 8, canary: 0, maxFailPercent: null },
      },
    });

    const progress = (p: ReturnType<typeof sampleProgress>) =>
      fake.emit({
        name: 'job.progress',
        payload: {
          jobId: 'j1',
          kind: 'deploy.run',
          phase: p.step,
          percent: null,
          detail: { key: p.deviceId, ...p },
        },
      });
    progress(sampleProgress({ bytesSent: 100 }));
    progress(sampleProgress({ bytesSent: 700, bytesPerSec: 9000 }));
    progress(
      sampleProgress({ deviceId: 'd2', deviceName: 'pi-2', status: 'unchanged', step: 'done', bytesSent: 0 }),
    );
    // Coalesced: nothing repaints until the flush interval.
    const before = store.get().run;
    expect(before.status === 'running' && before.rows[0]?.status).toBe('pending');
    await wait(150);
    const moving = store.get().run;
    if (moving.status !== 'running') throw new Error(`expected running, got ${moving.status}`);
    expect(moving.deploymentId).toBe('dep_1');
    expect(moving.rows.map((r) => [r.deviceName, r.status, r.bytesSent])).toEqual([
      ['pi-1', 'running', 700],
      ['pi-2', 'unchanged', 0],
    ]);
    expect(moving.rows[0]?.bytesPerSec).toBe(9000);

    const report = sampleReport([
      sampleDeviceResult(),
      sampleDeviceResult({
        deviceId: 'd2',
        deviceName: 'pi-2',
        position: 1,
        status: 'unchanged',
        bytesSent: 0,
      }),
    ]);
    fake.emit({ name: 'job.done', payload: { jobId: 'j1', kind: 'deploy.run', result: report } });
    await done;
    const final = store.get().run;
    expect(final.status).toBe('done');
    if (final.status !== 'done') return;
    expect(final.rows.map((r) => r.status)).toEqual(['deployed', 'unchanged']);
    expect(final.report.deployment.id).toBe('dep_1');
    store.dismiss();
    expect(store.get().run.status).toBe('idle');
  });

  it('cancel asks main to stop; a cancelled job shows what the records say each device ended as', async () => {
    const { fake, store, form, queryClient } = setup({
      'jobs.cancel': () => ({ ok: true, value: { cancelled: true } }),
      'deploy.report': () => ({
        ok: true,
        value: sampleReport(
          [
            sampleDeviceResult(),
            sampleDeviceResult({
              deviceId: 'd2',
              deviceName: 'pi-2',
              position: 1,
              status: 'cancelled',
              step: 'upload',
            }),
          ],
          { status: 'cancelled' },
        ),
      }),
    });
    const done = store.start(form, 'small-cnn', samplePreview(), queryClient);
    await wait(0);
    fake.emit({
      name: 'job.progress',
      payload: {
        jobId: 'j1',
        kind: 'deploy.run',
        phase: 'upload',
        percent: null,
        detail: { key: 'd1', ...sampleProgress() },
      },
    });
    await wait(150);
    store.cancel();
    const cancelling = store.get().run;
    expect(cancelling.status === 'running' && cancelling.cancelling).toBe(true);
    await wait(0);
    expect(fake.calls.map((c) => c.method)).toContain('jobs.cancel');
    fake.emit({
      name: 'job.failed',
      payload: {
        jobId: 'j1',
        kind: 'deploy.run',
        error: { code: 'CANCELLED', message: 'Cancelled by the user.' },
      },
    });
    await done;
    const final = store.get().run;
    if (final.status !== 'failed') throw new Error(`expected failed, got ${final.status}`);
    expect(final.error.code).toBe('CANCELLED');
    expect(final.deploymentId).toBe('dep_1');
    expect(final.rows.map((r) => r.status)).toEqual(['deployed', 'cancelled']);
    expect(fake.calls.find((c) => c.method === 'deploy.report')?.params).toEqual({ id: 'dep_1' });
  });
});
