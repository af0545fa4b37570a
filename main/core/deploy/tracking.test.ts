import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { memoryDatabase } from '../../../test/fixtures/temp-db';
import { DeployRepository, type NewDeployment } from './deploy-repository';
import { DbRecorder, markInterruptedDeployments } from './tracking';

/** A pid that certainly belonged to a process that is gone now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

function deployment(id: string, runner: { pid: number; host: string }, createdAt: string): NewDeployment {
  return {
    id,
    kind: 'deploy',
    modelName: 'm',
    variantId: 'v',
    version: '1',
    release: '1-abcdef01',
    sha256: 'ab'.repeat(32),
    sizeBytes: 10,
    requestedBy: 'ann@laptop',
    createdAt,
    options: { concurrency: 8 },
    targets: [{ deviceId: 'd1', deviceName: 'one', where: 'pi@h:22', deployRoot: '/opt/e' }],
    runnerPid: runner.pid,
    runnerHost: runner.host,
  };
}

const devices = [
  { deviceId: 'd1', deviceName: 'one', bytesTotal: 10 },
  { deviceId: 'd2', deviceName: 'two', bytesTotal: 10 },
];

/** Each test its own empty database. */
function newRepo(): DeployRepository {
  return new DeployRepository(memoryDatabase());
}

describe('interrupted deployments at start-up', () => {
  it('marks only deployments whose process is gone or whose heartbeat is stale', () => {
    const repo = newRepo();
    const now = new Date('2024-06-01T12:00:00.000Z');
    const fresh = '2024-06-01T11:59:30.000Z';
    const stale = '2024-06-01T11:00:00.000Z';
    const host = hostname();
    repo.createDeployment(deployment('live-here', { pid: process.pid, host }, fresh), devices);
    repo.createDeployment(deployment('dead-here', { pid: deadPid(), host }, fresh), devices);
    repo.createDeployment(deployment('live-elsewhere', { pid: 1, host: 'other-machine' }, fresh), devices);
    repo.createDeployment(deployment('stale-elsewhere', { pid: 1, host: 'other-machine' }, stale), devices);
    repo.createDeployment(deployment('stale-reused-pid', { pid: process.pid, host }, stale), devices);
    // One device of the dead deployment had finished: it keeps its result.
    repo.updateDevice('dead-here', {
      deviceId: 'd1',
      deviceName: 'one',
      status: 'deployed',
      step: 'done',
      bytesSent: 10,
      bytesTotal: 10,
      startedAt: fresh,
      finishedAt: fresh,
      durationMs: 5,
      stepDurationsMs: { upload: 1 },
      log: [],
      error: null,
      releaseBefore: null,
      releaseAfter: '1-abcdef01',
      facts: null,
    });

    const marked = markInterruptedDeployments(repo, { now, host });
    expect(marked.sort()).toEqual(['dead-here', 'stale-elsewhere', 'stale-reused-pid']);
    expect(repo.deployment('live-here')?.status).toBe('running');
    expect(repo.deployment('live-elsewhere')?.status).toBe('running');
    expect(repo.deployment('dead-here')).toMatchObject({
      status: 'interrupted',
      finishedAt: now.toISOString(),
      error: { code: 'DEPLOY_INTERRUPTED' },
    });
    expect(repo.deviceResults('dead-here').map((r) => [r.deviceId, r.status, r.error?.code ?? null])).toEqual(
      [
        ['d1', 'deployed', null],
        ['d2', 'interrupted', 'DEPLOY_INTERRUPTED'],
      ],
    );
    // Running it again changes nothing.
    expect(markInterruptedDeployments(repo, { now, host })).toEqual([]);
  });
});

describe('DbRecorder', () => {
  it('records a switch with what it knows about the previous release, and restores the row on switch back', () => {
    const repo = newRepo();
    const before = {
      deviceId: 'r1',
      deviceName: 'r-one',
      deployRoot: '/opt/e',
      modelName: 'm',
      current: { release: 'old-11111111', sha256: '11'.repeat(32), variantId: 'v-old', version: 'old' },
      previous: { release: 'older-22222222', sha256: null, variantId: null, version: null },
      source: 'deploy' as const,
      deploymentId: 'd_prev',
      updatedAt: '2024-01-01T00:00:00.000Z',
    };
    repo.saveRelease(before);
    const recorder = new DbRecorder(
      repo,
      'd_now',
      'deploy',
      'm',
      new Map([['r1', { deviceName: 'r-one', deployRoot: '/opt/e' }]]),
    );
    recorder.releaseChanged('r1', {
      kind: 'switched',
      current: 'new-33333333',
      previous: 'old-11111111',
      currentRef: { release: 'new-33333333', sha256: '33'.repeat(32), variantId: 'v-new', version: 'new' },
    });
    expect(repo.release('r1', 'm')).toMatchObject({
      current: { release: 'new-33333333', variantId: 'v-new' },
      previous: before.current,
      source: 'deploy',
      deploymentId: 'd_now',
    });
    recorder.releaseChanged('r1', {
      kind: 'restored',
      current: 'old-11111111',
      previous: 'older-22222222',
      currentRef: null,
    });
    expect(repo.release('r1', 'm')).toMatchObject({
      current: before.current,
      previous: before.previous,
      deploymentId: 'd_prev',
    });

    // A first deploy switched back: the device has nothing again, and neither has the record.
    const first = new DbRecorder(
      repo,
      'd_first',
      'deploy',
      'm2',
      new Map([['r1', { deviceName: 'r-one', deployRoot: '/opt/e' }]]),
    );
    first.releaseChanged('r1', { kind: 'switched', current: 'a-44444444', previous: null, currentRef: null });
    expect(repo.release('r1', 'm2')?.current?.release).toBe('a-44444444');
    first.releaseChanged('r1', { kind: 'restored', current: null, previous: null, currentRef: null });
    expect(repo.release('r1', 'm2')).toBeUndefined();
  });
});
