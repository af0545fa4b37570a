import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport, DriftState } from '../../../shared/schemas/deploy';
import type { CrashChildConfig } from '../../../test/fixtures/deploy-crash-child';
import {
  cnnArtifact,
  remoteState,
  startDeployDevices,
  type DeployDevice,
} from '../../../test/fixtures/deploy';
import { stopAllSshd } from '../../../test/fixtures/sshd';
import { tempDatabase } from '../../../test/fixtures/temp-db';
import { repoRoot } from '../../../test/fixtures/repo-path';
import { quote } from '../fleet/ssh';
import { DeployRunner } from './deploy-runner';
import { releaseName } from './layout';
import type { DeployArtifact, DeployTarget } from './types';

const { db, dir: work, file: dbFile } = tempDatabase('edgefleet-drift-test-');
let devices: DeployDevice[];
let service: DeployRunner;
let a: DeployArtifact;
let b: DeployArtifact;

const rel = (x: DeployArtifact): string => releaseName(x.version, x.sha256);

function dev(i: number): DeployDevice {
  const d = devices[i];
  if (d === undefined) throw new Error(`no device ${i}`);
  return d;
}

function withCommands(d: DeployDevice, health = 'test -s "$1"'): DeployTarget {
  return {
    ...d.target,
    restartCommand: `echo restarted >> ${quote(join(d.sshd.dir, 'restarts.log'))}`,
    healthCommand: health,
  };
}

function states(report: DriftReport): [string, string, DriftState][] {
  return report.results.map((r) => [r.deviceName, r.modelName, r.state]);
}

async function deployAll(x: DeployArtifact): Promise<void> {
  const report = await service.deployArtifact(
    x,
    devices.map((d) => withCommands(d)),
  );
  expect(report.deployment.status).toBe('succeeded');
}

beforeAll(async () => {
  devices = await startDeployDevices(3, 'edge root');
  service = DeployRunner.open(db);
  a = cnnArtifact(join(work, 'store'), 21, '20240301-000000');
  b = cnnArtifact(join(work, 'store'), 22, '20240302-000000');
  await deployAll(a);
  await deployAll(b);
});

afterAll(async () => {
  await stopAllSshd();
});

describe('drift check', () => {
  it('reports in sync, modified, missing, different version and unknown, and records each', async () => {
    const clean = await service.driftCheck(devices.map((d) => d.target));
    expect(states(clean)).toEqual(devices.map((d) => [d.target.deviceName, 'detector', 'in_sync']));
    expect(clean.errors).toEqual([]);

    // device-1: the active file changed in place.
    appendFileSync(join(dev(0).root, 'detector', 'releases', rel(b), 'model.onnx'), 'tampered');
    // device-2: the active release was deleted.
    rmSync(join(dev(1).root, 'detector', 'releases', rel(b)), { recursive: true });
    // device-3: switched back by hand to A, and a model copied there by hand, without EdgeFleet.
    const md = join(dev(2).root, 'detector');
    unlinkSync(join(md, 'current'));
    symlinkSync(`releases/${rel(a)}`, join(md, 'current'));
    const hand = join(dev(2).root, 'handmade', 'v1');
    mkdirSync(hand, { recursive: true });
    writeFileSync(join(hand, 'model.onnx'), 'not from edgefleet');
    symlinkSync('v1', join(dev(2).root, 'handmade', 'current'));

    const report = await service.driftCheck(devices.map((d) => d.target));
    expect(states(report)).toEqual([
      ['device-1', 'detector', 'modified'],
      ['device-2', 'detector', 'missing'],
      ['device-3', 'detector', 'different_version'],
      ['device-3', 'handmade', 'unknown'],
    ]);
    const [modified, missing, different, unknown] = report.results;
    expect(modified?.observed.manifestSha256).toBe(b.sha256);
    expect(modified?.observed.fileSha256).not.toBe(b.sha256);
    expect(modified?.message).toMatch(/changed on the device/);
    expect(missing?.expected?.release).toBe(rel(b));
    expect(different).toMatchObject({
      expected: { release: rel(b) },
      observed: { release: rel(a), fileSha256: a.sha256 },
    });
    expect(unknown).toMatchObject({ observed: { release: 'v1', manifest: null } });
    expect(unknown?.message).toMatch(/without an EdgeFleet manifest/);
    expect(report.results.every((r) => !r.adopted)).toBe(true);

    // Recorded, and the beliefs untouched (no reconcile asked).
    expect(service.repo.lastDrift(dev(2).target.deviceId)).toEqual([
      expect.objectContaining({ modelName: 'detector', state: 'different_version' }),
      expect.objectContaining({ modelName: 'handmade', state: 'unknown' }),
    ]);
    expect(service.repo.releases({ deviceId: dev(2).target.deviceId })[0]?.current?.release).toBe(rel(b));

    // Only some models.
    const filtered = await service.driftCheck([dev(2).target], { models: ['handmade'] });
    expect(states(filtered)).toEqual([['device-3', 'handmade', 'unknown']]);

    // Repair: redeploying B fixes device-1 and device-2 (re-upload) and device-3 (switch).
    await deployAll(b);
    rmSync(join(dev(2).root, 'handmade'), { recursive: true });
    expect(states(await service.driftCheck(devices.map((d) => d.target))).map((s) => s[2])).toEqual([
      'in_sync',
      'in_sync',
      'in_sync',
    ]);
  });

  it('reports a device it cannot read as an error, not as drift', async () => {
    const target = {
      ...dev(0).target,
      ssh: { ...dev(0).target.ssh, pinnedHostKey: dev(1).sshd.hostPublicKey },
    };
    const report = await service.driftCheck([target]);
    expect(report.results).toEqual([]);
    expect(report.errors).toEqual([
      expect.objectContaining({
        deviceName: 'device-1',
        error: expect.objectContaining({ code: 'HOST_KEY_MISMATCH' }),
      }),
    ]);
  });
});

describe('rollback', () => {
  it('switches back to the previous release with restart and health check; the database follows', async () => {
    const d = dev(0);
    const report = await service.rollbackTargets([withCommands(d)], {
      modelName: 'detector',
      toRelease: null,
    });
    expect(report.deployment).toMatchObject({ kind: 'rollback', status: 'succeeded', modelName: 'detector' });
    expect(report.devices[0]).toMatchObject({
      status: 'deployed',
      releaseBefore: rel(b),
      releaseAfter: rel(a),
    });
    expect(remoteState(d.root, 'detector')).toMatchObject({
      current: `releases/${rel(a)}`,
      previous: `releases/${rel(b)}`,
      currentSha256: a.sha256,
    });
    expect(service.repo.releases({ deviceId: d.target.deviceId })[0]).toMatchObject({
      current: { release: rel(a), sha256: a.sha256, variantId: a.variantId },
      previous: { release: rel(b), sha256: b.sha256, variantId: b.variantId },
      source: 'rollback',
      deploymentId: report.deployment.id,
    });
    expect(states(await service.driftCheck([d.target]))).toEqual([['device-1', 'detector', 'in_sync']]);

    // To a named release: forward to B again.
    const named = await service.rollbackTargets([withCommands(d)], {
      modelName: 'detector',
      toRelease: rel(b),
    });
    expect(named.devices[0]).toMatchObject({ status: 'deployed', releaseAfter: rel(b) });
    expect(remoteState(d.root, 'detector').current).toBe(`releases/${rel(b)}`);
    // Already there: nothing to do.
    const again = await service.rollbackTargets([withCommands(d)], {
      modelName: 'detector',
      toRelease: rel(b),
    });
    expect(again.devices[0]?.status).toBe('unchanged');
  });

  it('a rollback whose health check fails switches back again', async () => {
    const d = dev(1);
    const report = await service.rollbackTargets(
      [withCommands(d, 'exit 1')],
      { modelName: 'detector', toRelease: null },
      { healthAttempts: 1 },
    );
    expect(report.devices[0]).toMatchObject({
      status: 'rolled_back',
      releaseAfter: rel(b),
      error: { code: 'HEALTH_CHECK_FAILED' },
    });
    expect(remoteState(d.root, 'detector')).toMatchObject({
      current: `releases/${rel(b)}`,
      previous: `releases/${rel(a)}`,
    });
    expect(service.repo.releases({ deviceId: d.target.deviceId })[0]).toMatchObject({
      current: { release: rel(b) },
      previous: { release: rel(a) },
    });
  });

  it('refuses a release that is not there or is damaged, changing nothing', async () => {
    const d = dev(2);
    const missing = await service.rollbackTargets([withCommands(d)], {
      modelName: 'detector',
      toRelease: '20200101-000000-00000000',
    });
    expect(missing.devices[0]).toMatchObject({
      status: 'failed',
      step: 'preflight',
      error: { code: 'RELEASE_NOT_FOUND' },
    });
    appendFileSync(join(d.root, 'detector', 'releases', rel(a), 'model.onnx'), 'rot');
    const damaged = await service.rollbackTargets([withCommands(d)], {
      modelName: 'detector',
      toRelease: null,
    });
    expect(damaged.devices[0]).toMatchObject({
      status: 'failed',
      step: 'preflight',
      error: { code: 'CHECKSUM_MISMATCH' },
    });
    expect(remoteState(d.root, 'detector').current).toBe(`releases/${rel(b)}`);
    const none = await service.rollbackTargets([withCommands(d)], {
      modelName: 'no-such-model',
      toRelease: null,
    });
    expect(none.devices[0]?.error?.code).toBe('RELEASE_NOT_FOUND');
  });
});

describe('crash safety', () => {
  it('a deploying process killed mid-rollout leaves an interrupted deployment that drift reconciles', async () => {
    const c = cnnArtifact(join(work, 'store'), 23, '20240303-000000');
    const targets = devices.map((d) => withCommands(d));
    const victim = dev(1).target.deviceId;
    const configPath = join(work, 'crash.json');
    const config: CrashChildConfig = {
      dbPath: dbFile,
      artifact: c,
      targets,
      hangAfterSwitchOn: victim,
    };
    writeFileSync(configPath, JSON.stringify(config));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test/fixtures/deploy-crash-child.ts'), configPath],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const switched = await new Promise<boolean>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line === `SWITCHED ${victim}`) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    expect(switched, stderr).toBe(true);
    child.kill('SIGKILL');
    await exited;

    // Before anyone notices, the row still says running.
    const id = service.repo.deployments()[0]?.id ?? '';
    expect(service.repo.report(id).deployment.status).toBe('running');
    // Another live process's deployment would be left alone; this one's process is gone.
    expect(service.recoverInterrupted({ isAlive: () => true, host: hostname() })).toEqual([]);
    const reopened = DeployRunner.open(db);
    const report = reopened.repo.report(id);
    expect(report.deployment).toMatchObject({ status: 'interrupted', error: { code: 'DEPLOY_INTERRUPTED' } });
    expect(report.devices.map((r) => [r.status, r.step])).toEqual([
      ['deployed', 'done'],
      ['interrupted', 'switch'],
      ['interrupted', null],
    ]);

    // Device 2 switched, but the process died before recording it: drift finds out and reconciles.
    const drift = await reopened.driftCheck(
      devices.map((d) => d.target),
      { reconcile: true },
    );
    expect(drift.results.map((r) => [r.deviceName, r.state, r.adopted])).toEqual([
      ['device-1', 'in_sync', false],
      ['device-2', 'different_version', true],
      ['device-3', 'in_sync', false],
    ]);
    expect(reopened.repo.releases({ deviceId: victim })[0]).toMatchObject({
      current: { release: rel(c), sha256: c.sha256, variantId: c.variantId },
      previous: { release: rel(b), sha256: b.sha256 },
      source: 'drift',
    });
    expect(states(await reopened.driftCheck(devices.map((d) => d.target))).map((s) => s[2])).toEqual([
      'in_sync',
      'in_sync',
      'in_sync',
    ]);

    // Deploying again finishes the job: device 2's switch was never restarted or health-checked, so that
    // happens now (without an upload); device 3 gets the release.
    const retry = await reopened.deployArtifact(c, targets);
    expect(retry.devices.map((r) => [r.status, r.bytesSent])).toEqual([
      ['unchanged', 0],
      ['deployed', 0],
      ['deployed', c.sizeBytes],
    ]);
    expect(retry.devices[1]?.log.map((l) => l.message).join('\n')).toMatch(/never confirmed/);
    expect(Object.keys(retry.devices[1]?.stepDurationsMs ?? {})).toEqual(
      expect.arrayContaining(['restart', 'health', 'prune']),
    );
    const again = await reopened.deployArtifact(c, targets);
    expect(again.devices.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });
});
