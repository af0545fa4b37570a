import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployProgress } from '../../../shared/schemas/deploy';
import {
  cnnArtifact,
  isSymlink,
  remoteState,
  startDeployDevices,
  type DeployDevice,
} from '../../../test/fixtures/deploy';
import { stopAllSshd } from '../../../test/fixtures/sshd';
import { tempDatabase } from '../../../test/fixtures/temp-db';
import { quote } from '../fleet/ssh';
import { DeployRunner } from './deploy-runner';
import { releaseName } from './layout';
import { planDeploy } from './plan';
import type { DeployArtifact, DeployTarget } from './types';

const { db, dir: work } = tempDatabase('edgefleet-deploy-test-');
const pwned = [join(homedir(), 'pwned'), '/pwned'];
let devices: DeployDevice[];
let service: DeployRunner;
let artifactA: DeployArtifact;
let artifactB: DeployArtifact;

/** The tool preflight should pick on this machine (the devices are this machine). */
function firstHasher(): string | undefined {
  return ['openssl', 'sha256sum', 'shasum'].find(
    (tool) => spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0,
  );
}

function restartLog(d: DeployDevice): string {
  return join(d.sshd.dir, 'restarts.log');
}

/** Devices with a restart command that logs its `$1` and a health check that the active model is there. */
function targets(): DeployTarget[] {
  return devices.map((d) => ({
    ...d.target,
    restartCommand: `printf '%s\\n' "$1" >> ${quote(restartLog(d))}`,
    healthCommand: 'test -s "$1"',
  }));
}

function restarts(d: DeployDevice): string[] {
  return existsSync(restartLog(d)) ? readFileSync(restartLog(d), 'utf8').split('\n').filter(Boolean) : [];
}

beforeAll(async () => {
  for (const p of pwned) rmSync(p, { force: true });
  devices = await startDeployDevices(3);
  service = DeployRunner.open(db);
  artifactA = cnnArtifact(join(work, 'store'), 1, '20240101-000000');
  artifactB = cnnArtifact(join(work, 'store'), 2, '20240102-000000');
});

afterAll(async () => {
  await stopAllSshd();
});

describe('deploy to three real sshd devices', () => {
  it('puts file, manifest and current link on each device, and the database says the same', async () => {
    const events: DeployProgress[] = [];
    const report = await service.deployArtifact(
      artifactA,
      targets(),
      {},
      { onProgress: (e) => events.push(e) },
    );
    const release = releaseName(artifactA.version, artifactA.sha256);

    expect(report.deployment).toMatchObject({
      kind: 'deploy',
      status: 'succeeded',
      modelName: 'detector',
      variantId: artifactA.variantId,
      release,
      sha256: artifactA.sha256,
      error: null,
    });
    expect(report.deployment.finishedAt).not.toBeNull();
    for (const [i, d] of devices.entries()) {
      const result = report.devices[i];
      expect(result).toMatchObject({
        deviceId: d.target.deviceId,
        status: 'deployed',
        step: 'done',
        bytesSent: artifactA.sizeBytes,
        bytesTotal: artifactA.sizeBytes,
        releaseBefore: null,
        releaseAfter: release,
        error: null,
      });
      expect(Object.keys(result?.stepDurationsMs ?? {})).toEqual(
        expect.arrayContaining([
          'connect',
          'preflight',
          'upload',
          'verify',
          'install',
          'switch',
          'restart',
          'health',
        ]),
      );
      expect(result?.log.map((l) => l.message).join('\n')).toMatch(/sha256 verified on the device/);
      expect(result?.facts).toMatchObject({
        hasher: firstHasher(),
        arch: execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim(),
        kernel: expect.stringMatching(/^Linux \S+$/),
      });
      expect(result?.facts?.availableBytes).toBeGreaterThan(0);

      // On the device itself.
      const state = remoteState(d.root, 'detector');
      expect(isSymlink(join(d.root, 'detector', 'current'))).toBe(true);
      expect(state.current).toBe(`releases/${release}`);
      expect(state.previous).toBeNull();
      expect(state.releases).toEqual([release]);
      expect(state.temps).toEqual([]);
      expect(state.currentSha256).toBe(artifactA.sha256);
      expect(state.manifest).toMatchObject({
        format: 'edgefleet-release/1',
        modelName: 'detector',
        variantId: artifactA.variantId,
        version: artifactA.version,
        release,
        sha256: artifactA.sha256,
        sizeBytes: artifactA.sizeBytes,
        method: 'int8-dynamic',
        recipe: artifactA.recipe,
        parentSha256: null,
        deploymentId: report.deployment.id,
      });
      expect(state.manifest?.deployedBy).toMatch(/^[^@]+@.+$/);
      expect(statSync(join(d.root, 'detector', 'releases', release, 'model.onnx')).mode & 0o777).toBe(0o644);
      expect(restarts(d)).toEqual([join(d.root, 'detector', 'current', 'model.onnx')]);
    }
    // The hostile deploy root was only ever a quoted argument.
    for (const p of pwned) expect(existsSync(p)).toBe(false);

    // The database.
    const status = service.repo.releases();
    expect(status).toHaveLength(3);
    for (const row of status) {
      expect(row).toMatchObject({
        modelName: 'detector',
        current: {
          release,
          sha256: artifactA.sha256,
          variantId: artifactA.variantId,
          version: artifactA.version,
        },
        previous: null,
        source: 'deploy',
        deploymentId: report.deployment.id,
      });
    }
    expect(service.repo.deployments()[0]?.id).toBe(report.deployment.id);
    expect(JSON.stringify(service.repo.deployments())).not.toContain('privateKeyPath');

    // Progress: every step of every device, byte counts and a rate during the upload.
    for (const d of devices) {
      const mine = events.filter((e) => e.deviceId === d.target.deviceId);
      const steps = [...new Set(mine.map((e) => e.step))];
      expect(steps).toEqual([
        'connect',
        'preflight',
        'upload',
        'verify',
        'install',
        'switch',
        'restart',
        'health',
        'prune',
        'done',
      ]);
      const uploads = mine.filter((e) => e.step === 'upload' && e.bytesSent > 0);
      expect(uploads.at(-1)).toMatchObject({
        bytesSent: artifactA.sizeBytes,
        bytesTotal: artifactA.sizeBytes,
      });
      expect(uploads.at(-1)?.bytesPerSec).toBeGreaterThan(0);
      expect(mine.at(-1)?.status).toBe('deployed');
    }
    expect(events.every((e) => e.devicesTotal === 3 && e.deploymentId === report.deployment.id)).toBe(true);
    expect(events.at(-1)?.devicesDone).toBe(3);
    expect(
      events
        .filter((e) => e.status === 'deployed')
        .map((e) => e.devicesDone)
        .sort(),
    ).toEqual([1, 2, 3]);
  });

  it('deploys the same variant again with 0 bytes sent and nothing touched', async () => {
    const release = releaseName(artifactA.version, artifactA.sha256);
    const file = join(devices[0]?.root ?? '', 'detector', 'releases', release, 'model.onnx');
    const mtime = statSync(file).mtimeMs;
    const restartsBefore = devices.map(restarts);
    const report = await service.deployArtifact(artifactA, targets());
    expect(report.deployment.status).toBe('succeeded');
    for (const result of report.devices) {
      expect(result).toMatchObject({
        status: 'unchanged',
        bytesSent: 0,
        releaseBefore: release,
        releaseAfter: release,
      });
      expect(Object.keys(result.stepDurationsMs).sort()).toEqual(['connect', 'preflight']);
      // Our records said it runs this release: one read-only look, no lock, the file not hashed again.
      expect(result.log.map((l) => l.message)).toContainEqual(
        expect.stringContaining('its sha256 as verified earlier, the file unchanged since'),
      );
    }
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(devices.map(restarts)).toEqual(restartsBefore);
    // The manifest still names the deployment that installed it.
    expect(remoteState(devices[0]?.root ?? '', 'detector').manifest?.deploymentId).toBe(
      service.repo.deployments()[1]?.id,
    );
  });

  it('hashes again a file rewritten on the device since it was verified, and replaces it', async () => {
    const release = releaseName(artifactA.version, artifactA.sha256);
    const file = join(devices[0]?.root ?? '', 'detector', 'releases', release, 'model.onnx');
    const good = readFileSync(file);
    // Same size, other bytes: only the stat signature (ctime) and the hash can tell.
    writeFileSync(file, Buffer.alloc(good.length, 1));
    const report = await service.deployArtifact(artifactA, targets());
    expect(report.devices.map((d) => d.status)).toEqual(['deployed', 'unchanged', 'unchanged']);
    expect(report.devices[0]?.bytesSent).toBe(good.length);
    expect(readFileSync(file).equals(good)).toBe(true);
  });

  it('with rehash, hashes every file on the devices again instead of trusting the cache', async () => {
    const report = await service.deployArtifact(artifactA, targets(), { rehash: true });
    for (const result of report.devices) {
      expect(result.status).toBe('unchanged');
      const messages = result.log.map((l) => l.message);
      expect(messages).toContain(
        `Already runs ${releaseName(artifactA.version, artifactA.sha256)}: nothing to do`,
      );
    }
  });

  it('switches current to a new variant, keeps the previous one, and prunes beyond keepReleases', async () => {
    const a = releaseName(artifactA.version, artifactA.sha256);
    const b = releaseName(artifactB.version, artifactB.sha256);
    const report = await service.deployArtifact(artifactB, targets());
    expect(report.devices.map((r) => [r.status, r.releaseBefore, r.releaseAfter])).toEqual(
      devices.map(() => ['deployed', a, b]),
    );
    for (const d of devices) {
      const state = remoteState(d.root, 'detector');
      expect(state).toMatchObject({
        current: `releases/${b}`,
        previous: `releases/${a}`,
        releases: [a, b].sort(),
      });
      expect(state.currentSha256).toBe(artifactB.sha256);
    }
    expect(service.repo.releases({ deviceId: devices[0]?.target.deviceId })).toEqual([
      expect.objectContaining({
        current: expect.objectContaining({
          release: b,
          sha256: artifactB.sha256,
          variantId: artifactB.variantId,
        }),
        previous: expect.objectContaining({
          release: a,
          sha256: artifactA.sha256,
          variantId: artifactA.variantId,
        }),
      }),
    ]);

    // Two more variants: with keepReleases 3 the oldest (A) goes; current and previous always stay.
    const c = cnnArtifact(join(work, 'store'), 3, '20240103-000000');
    const d4 = cnnArtifact(join(work, 'store'), 4, '20240104-000000');
    await service.deployArtifact(c, targets());
    const last = await service.deployArtifact(d4, targets());
    expect(last.deployment.status).toBe('succeeded');
    const names = [b, releaseName(c.version, c.sha256), releaseName(d4.version, d4.sha256)].sort();
    for (const d of devices) expect(remoteState(d.root, 'detector').releases).toEqual(names);
    expect(last.devices[0]?.log.map((l) => l.message).join('\n')).toContain(`Removed old releases: ${a}`);

    // Going back to B, which is still on the device: no upload, just a switch.
    const again = await service.deployArtifact(artifactB, targets());
    expect(again.devices.map((r) => [r.status, r.bytesSent])).toEqual(devices.map(() => ['deployed', 0]));
    for (const d of devices) {
      expect(remoteState(d.root, 'detector')).toMatchObject({
        current: `releases/${b}`,
        previous: `releases/${releaseName(d4.version, d4.sha256)}`,
      });
    }
  });

  it('refuses a local file that is not the artifact it claims to be', async () => {
    const wrong = { ...artifactA, sha256: artifactB.sha256 };
    await expect(service.deployArtifact(wrong, targets())).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    });
    await expect(
      service.deployArtifact({ ...artifactA, localPath: join(work, 'gone.onnx') }, targets()),
    ).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });
  it('runs the plan as data: a step taken out of the plan is not run, though the device has the command', async () => {
    const e = cnnArtifact(join(work, 'store'), 5, '20240105-000000');
    const plan = planDeploy(e, targets());
    const withoutRestart = {
      ...plan,
      devices: plan.devices.map((d) => ({ ...d, steps: d.steps.filter((s) => s.step !== 'restart') })),
    };
    const before = devices.map((d) => restarts(d).length);
    const steps: string[] = [];
    const report = await service.runDeployPlan(withoutRestart, targets(), {
      onProgress: (p) => {
        if (p.deviceId === devices[0]?.target.deviceId && steps.at(-1) !== p.step) steps.push(p.step);
      },
    });
    expect(report.devices.map((r) => r.status)).toEqual(devices.map(() => 'deployed'));
    expect(devices.map((d) => restarts(d).length)).toEqual(before);
    expect(steps).toEqual([
      'connect',
      'preflight',
      'upload',
      'verify',
      'install',
      'switch',
      'health',
      'prune',
      'done',
    ]);
    for (const d of devices) {
      expect(remoteState(d.root, 'detector').current).toBe(`releases/${releaseName(e.version, e.sha256)}`);
    }
  });
});
