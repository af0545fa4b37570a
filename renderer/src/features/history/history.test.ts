import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../api/client';
import { createFakeTransport } from '../../testing/fake-transport';
import {
  sampleDeployment,
  sampleDeviceResult,
  sampleProgress,
  sampleRelease,
  sampleReport,
} from '../../testing/deploy-results';
import { targetsText } from './deployments-table';
import { pastReleases } from './device-history';
import { driftCountsLine } from './drift-panel';
import { createHistoryOpsStore } from './history-ops';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('device release history', () => {
  it('lists each release sent to the device once, newest first, without the one it runs', () => {
    const deployments = [
      sampleDeployment({ id: 'a', release: 'r1', createdAt: '2025-01-01T00:00:00.000Z' }),
      sampleDeployment({ id: 'b', release: 'r2', createdAt: '2025-01-02T00:00:00.000Z' }),
      sampleDeployment({ id: 'c', release: 'r1', createdAt: '2025-01-03T00:00:00.000Z' }),
      sampleDeployment({ id: 'd', kind: 'rollback', release: null, createdAt: '2025-01-04T00:00:00.000Z' }),
      sampleDeployment({ id: 'e', release: 'r3', createdAt: '2025-01-05T00:00:00.000Z' }),
    ];
    const current = [
      sampleRelease({ current: { release: 'r3', sha256: null, variantId: null, version: null } }),
    ];
    expect(pastReleases(deployments, current).map((p) => [p.release, p.deploymentId])).toEqual([
      ['r1', 'c'],
      ['r2', 'b'],
    ]);
  });

  it('names a few targets, then counts the rest', () => {
    const many = sampleDeployment({
      targets: ['a', 'b', 'c', 'd', 'e'].map((n) => ({
        deviceId: n,
        deviceName: n,
        where: n,
        deployRoot: '/',
      })),
    });
    expect(targetsText(many)).toBe('a, b, c +2 more');
    expect(targetsText(sampleDeployment())).toBe('pi-1, pi-2');
  });
});

describe('drift summary', () => {
  it('counts states in a fixed order and the devices it could not read', () => {
    const result = (state: 'in_sync' | 'modified') => ({
      deviceId: 'd1',
      deviceName: 'pi-1',
      modelName: 'small-cnn',
      state,
      expected: null,
      observed: { release: null, manifestSha256: null, fileSha256: null, manifest: null },
      message: '',
      adopted: false,
    });
    expect(
      driftCountsLine({
        checkedAt: '2025-01-01T00:00:00.000Z',
        results: [result('modified'), result('in_sync'), result('in_sync')],
        errors: [{ deviceId: 'd3', deviceName: 'pi-3', error: { code: 'UNREACHABLE', message: 'down' } }],
      }),
    ).toBe('2 in sync · 1 modified · 1 unreachable');
    expect(driftCountsLine({ checkedAt: '', results: [], errors: [] })).toMatch(/Nothing deployed/);
  });
});

describe('history operations', () => {
  it('rolls one device back to its previous release with live rows, then keeps the report', async () => {
    const fake = createFakeTransport({ 'deploy.rollback': () => ({ ok: true, value: { jobId: 'r1' } }) });
    const store = createHistoryOpsStore(createClient(fake.transport));
    const done = store.runRollback(
      { deviceId: 'd1', deviceName: 'pi-1', modelName: 'small-cnn', toRelease: null, fromRelease: 'new' },
      new QueryClient(),
    );
    await wait(0);
    expect(fake.calls[0]).toEqual({
      method: 'deploy.rollback',
      params: { targets: ['pi-1'], model: 'small-cnn' },
    });
    fake.emit({
      name: 'job.progress',
      payload: {
        jobId: 'r1',
        kind: 'deploy.rollback',
        phase: 'switch',
        percent: null,
        detail: { key: 'd1', ...sampleProgress({ step: 'switch', bytesSent: 0, bytesTotal: 0 }) },
      },
    });
    const running = store.get().rollback;
    expect(running.status === 'running' && running.rows[0]?.step).toBe('switch');
    const report = sampleReport([sampleDeviceResult({ releaseBefore: 'new', releaseAfter: 'old' })], {
      kind: 'rollback',
      release: null,
    });
    fake.emit({ name: 'job.done', payload: { jobId: 'r1', kind: 'deploy.rollback', result: report } });
    const final = await done;
    expect(final.status).toBe('done');
    if (final.status !== 'done') return;
    expect(final.rows[0]).toMatchObject({ status: 'deployed' });
    expect(final.report.devices[0]?.releaseAfter).toBe('old');
  });

  it('names the release when one is chosen, and keeps the error of a failed check', async () => {
    const fake = createFakeTransport({
      'deploy.rollback': () => ({ ok: true, value: { jobId: 'r2' } }),
      'deploy.drift': () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'No devices match "all".' } }),
    });
    const store = createHistoryOpsStore(createClient(fake.transport));
    const drift = await store.checkDrift(false, new QueryClient());
    expect(drift.status === 'failed' && drift.error.code).toBe('NOT_FOUND');
    void store.runRollback(
      { deviceId: 'd1', deviceName: 'pi-1', modelName: 'small-cnn', toRelease: 'r1', fromRelease: 'r3' },
      new QueryClient(),
    );
    await wait(0);
    expect(fake.calls.at(-1)).toEqual({
      method: 'deploy.rollback',
      params: { targets: ['pi-1'], model: 'small-cnn', toRelease: 'r1' },
    });
  });
});
