import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentReport, DeployProgress, DeviceResult } from '../../../shared/schemas/deploy';
import {
  cnnArtifact,
  deployTargetFor,
  killSshdSessions,
  randomArtifact,
  remoteState,
  startDeployDevices,
  type DeployDevice,
} from '../../../test/fixtures/deploy';
import { closedPort, startSilentTcpServer, stopAllSshd } from '../../../test/fixtures/sshd';
import { tempDatabase } from '../../../test/fixtures/temp-db';
import { quote } from '../fleet/ssh';
import { DeployRunner } from './deploy-runner';
import { releaseName } from './layout';
import type { DeployArtifact, DeployTarget } from './types';

/**
 * Every fault leaves the device on its previous release with the database telling the truth, and a retry
 * succeeds. The devices are real sshd processes; the faults are real (killed processes, a full file
 * system, a changed host key, a silent port).
 */

const { db, dir: work } = tempDatabase('edgefleet-deploy-faults-');
let devices: DeployDevice[];
let service: DeployRunner;
let base: DeployArtifact;
let next: DeployArtifact;
let big: DeployArtifact;

const fast = { healthIntervalMs: 50, healthAttempts: 2 };

function rel(a: DeployArtifact): string {
  return releaseName(a.version, a.sha256);
}

function device(i: number): DeployDevice {
  const d = devices[i];
  if (d === undefined) throw new Error(`no device ${i}`);
  return d;
}

function only(report: DeploymentReport): DeviceResult {
  expect(report.devices).toHaveLength(1);
  return report.devices[0] as DeviceResult;
}

function restartLog(d: DeployDevice): string {
  return join(d.sshd.dir, 'restarts.log');
}

function withCommands(d: DeployDevice, health: string | null = 'test -s "$1"'): DeployTarget {
  return {
    ...d.target,
    restartCommand: `printf '%s\\n' "$1" >> ${quote(restartLog(d))}`,
    healthCommand: health,
  };
}

function restarts(d: DeployDevice): number {
  return existsSync(restartLog(d))
    ? readFileSync(restartLog(d), 'utf8').split('\n').filter(Boolean).length
    : 0;
}

/** Device and database both say the device runs `release` (and nothing was half-installed). */
function expectOn(d: DeployDevice, release: string, sha256: string): void {
  const state = remoteState(d.root, 'detector');
  expect(state.current).toBe(`releases/${release}`);
  expect(state.currentSha256).toBe(sha256);
  expect(service.repo.releases({ deviceId: d.target.deviceId })[0]?.current).toMatchObject({
    release,
    sha256,
  });
}

beforeAll(async () => {
  devices = await startDeployDevices(5);
  service = DeployRunner.open(db);
  base = cnnArtifact(join(work, 'store'), 11, '20240201-000000');
  next = cnnArtifact(join(work, 'store'), 12, '20240202-000000');
  // Large enough that a kill on the first progress report lands mid-transfer.
  big = randomArtifact(join(work, 'store'), 32 * 1024 * 1024, '20240203-000000');
  const first = await service.deployArtifact(
    base,
    devices.map((d) => withCommands(d)),
  );
  expect(first.deployment.status).toBe('succeeded');
});

afterAll(async () => {
  await stopAllSshd();
});

describe('faults during a deploy', () => {
  it('sshd killed mid-upload: the device stays on its release, the retry removes the partial file', async () => {
    const d = device(0);
    let killedAt = -1;
    const report = await service.deployArtifact(
      big,
      [withCommands(d)],
      {},
      {
        onProgress: (e) => {
          if (killedAt < 0 && e.step === 'upload' && e.bytesSent > 0) {
            killedAt = e.bytesSent;
            expect(killSshdSessions(d.sshd).length).toBeGreaterThan(0);
          }
        },
      },
    );
    const result = only(report);
    expect(killedAt).toBeGreaterThan(0);
    expect(result).toMatchObject({ status: 'failed', step: 'upload', error: { code: 'UNREACHABLE' } });
    expect(result.bytesSent).toBeLessThan(big.sizeBytes);
    expect(report.deployment.status).toBe('failed');
    expectOn(d, rel(base), base.sha256);
    // The partial upload carries its deployment's id; the lock was released over a new connection.
    expect(remoteState(d.root, 'detector').temps).toEqual([`.incoming-${report.deployment.id}-${rel(big)}`]);
    expect(existsSync(join(d.root, '.edgefleet-lock'))).toBe(false);

    const retry = only(await service.deployArtifact(big, [withCommands(d)]));
    expect(retry).toMatchObject({ status: 'deployed', bytesSent: big.sizeBytes });
    expect(retry.log.map((l) => l.message).join('\n')).toMatch(/Removed 1 leftover/);
    expect(remoteState(d.root, 'detector').temps).toEqual([]);
    expectOn(d, rel(big), big.sha256);
  });

  it('health check fails: switched back automatically, restarted again, rolled_back', async () => {
    const d = device(1);
    const rowBefore = service.repo.releases({ deviceId: d.target.deviceId })[0];
    const restartsBefore = restarts(d);
    const report = await service.deployArtifact(
      next,
      [withCommands(d, 'echo "model not loaded" >&2; exit 1')],
      fast,
    );
    const result = only(report);
    expect(result).toMatchObject({
      status: 'rolled_back',
      step: 'rollback',
      releaseBefore: rel(base),
      releaseAfter: rel(base),
      error: { code: 'HEALTH_CHECK_FAILED' },
    });
    expect(result.error?.message).toMatch(
      /failed 2 times.*model not loaded.*switched back to .* and restarted/s,
    );
    expect(report.deployment.status).toBe('failed');
    // Restarted after the switch and again after switching back.
    expect(restarts(d)).toBe(restartsBefore + 2);
    expectOn(d, rel(base), base.sha256);
    const state = remoteState(d.root, 'detector');
    expect(state.previous).toBeNull();
    expect(state.releases).toContain(rel(next));
    expect(service.repo.releases({ deviceId: d.target.deviceId })[0]).toEqual(
      expect.objectContaining({ current: rowBefore?.current, previous: rowBefore?.previous }),
    );

    // The release stayed on the device verified: the retry only switches.
    const retry = only(await service.deployArtifact(next, [withCommands(d)], fast));
    expect(retry).toMatchObject({ status: 'deployed', bytesSent: 0 });
    expectOn(d, rel(next), next.sha256);
    expect(remoteState(d.root, 'detector').previous).toBe(`releases/${rel(base)}`);
  });

  it('sha256 mismatch after upload: refused before the switch, bad copy removed', async () => {
    const d = device(2);
    const report = await service.deployArtifact(
      next,
      [withCommands(d)],
      {},
      {
        testHooks: {
          afterUpload: ({ tempPath }) => appendFileSync(tempPath, 'x'),
        },
      },
    );
    const result = only(report);
    expect(result).toMatchObject({ status: 'failed', step: 'verify', error: { code: 'CHECKSUM_MISMATCH' } });
    expect(result.error?.message).toContain(next.sha256);
    expectOn(d, rel(base), base.sha256);
    const state = remoteState(d.root, 'detector');
    expect(state.temps).toEqual([]);
    expect(state.releases).toEqual([rel(base)]);

    expect(only(await service.deployArtifact(next, [withCommands(d)])).status).toBe('deployed');
    expectOn(d, rel(next), next.sha256);
  });

  it('restart fails after the switch: switched back and restarted again, rolled_back', async () => {
    const d = device(2);
    const flag = join(d.sshd.dir, 'restart-failed-once');
    // Fails the first time only: the restart after switching back works.
    const restartCommand = `if [ -e ${quote(flag)} ]; then exit 0; fi; : > ${quote(flag)}; echo "unit failed" >&2; exit 1`;
    const result = only(await service.deployArtifact(base, [{ ...withCommands(d), restartCommand }], fast));
    expect(result).toMatchObject({
      status: 'rolled_back',
      releaseAfter: rel(next),
      error: { code: 'RESTART_FAILED' },
    });
    expect(result.error?.message).toMatch(/exited with 1: unit failed.*switched back/s);
    expect(Object.keys(result.stepDurationsMs)).not.toContain('health');
    expectOn(d, rel(next), next.sha256);
  });

  it('not enough disk: preflight refuses before any byte is sent', async () => {
    const d = device(3);
    const root = join(d.sshd.dir, 'small disk');
    mkdirSync(root, { recursive: true });
    const target = deployTargetFor(d.sshd, root, { deviceId: 'small-disk', deviceName: 'small-disk' });
    // A real 1 MiB file system when this runs as root; otherwise the margin makes any disk too small.
    let mounted = false;
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', root], { stdio: 'ignore' });
      mounted = true;
    } catch {
      mounted = false;
    }
    try {
      const options = mounted ? {} : { diskMarginBytes: 2 ** 50 };
      const result = only(await service.deployArtifact(next, [target], options));
      expect(result).toMatchObject({
        status: 'failed',
        step: 'preflight',
        bytesSent: 0,
        error: { code: 'INSUFFICIENT_DISK' },
      });
      expect(result.error?.message).toMatch(/free in .* needs .*Nothing was uploaded/);
      expect(remoteState(root, 'detector')).toMatchObject({ current: null, releases: [], temps: [] });
      expect(service.repo.releases({ deviceId: 'small-disk' })).toEqual([]);

      if (mounted) execFileSync('mount', ['-o', 'remount,size=64m', root]);
      const retry = only(await service.deployArtifact(next, [target]));
      expect(retry.status).toBe('deployed');
      expect(remoteState(root, 'detector').currentSha256).toBe(next.sha256);
    } finally {
      if (mounted) execFileSync('umount', ['-l', root]);
    }
  });

  it('the disk fills during the upload (a real ENOSPC): the device keeps its release, a retry completes', async () => {
    // Needs a real small file system: a tmpfs, which only root can mount. Elsewhere the preflight test above
    // covers the refusal, and this case is checked where CI runs (as root).
    const d = device(4);
    const root = join(d.sshd.dir, 'filling disk');
    mkdirSync(root, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=80m', 'tmpfs', root], { stdio: 'ignore' });
    } catch {
      expect(process.getuid?.()).not.toBe(0);
      return;
    }
    const filler = join(root, 'filler');
    try {
      const target = deployTargetFor(d.sshd, root, { deviceId: 'filling-disk', deviceName: 'filling-disk' });
      const first = only(await service.deployArtifact(next, [target], { diskMarginBytes: 0 }));
      expect(first.status).toBe('deployed');
      // Preflight sees room for 2 × 32 MiB; once bytes flow, another writer takes what is left.
      let filled = false;
      const report = await service.deployArtifact(
        big,
        [target],
        { diskMarginBytes: 0 },
        {
          onProgress: (e) => {
            if (!filled && e.step === 'upload' && e.bytesSent > 0) {
              filled = true;
              execFileSync('sh', ['-c', `dd if=/dev/zero of=${quote(filler)} bs=1M 2>/dev/null || true`]);
            }
          },
        },
      );
      const result = only(report);
      expect(filled).toBe(true);
      expect(result).toMatchObject({ status: 'failed', step: 'upload' });
      expect(result.error?.code).not.toBe('INTERNAL');
      expect(result.error?.message).toMatch(/space|full|ENOSPC|quota/i);
      expect(report.deployment.status).toBe('failed');
      const state = remoteState(root, 'detector');
      expect(state.current).toBe(`releases/${rel(next)}`);
      expect(state.currentSha256).toBe(next.sha256);
      expect(service.repo.releases({ deviceId: 'filling-disk' })[0]?.current).toMatchObject({
        release: rel(next),
      });

      execFileSync('rm', ['-f', filler]);
      const retry = only(await service.deployArtifact(big, [target], { diskMarginBytes: 0 }));
      expect(retry.status).toBe('deployed');
      expect(remoteState(root, 'detector')).toMatchObject({ currentSha256: big.sha256, temps: [] });
    } finally {
      execFileSync('umount', ['-l', root]);
    }
  });

  it('a deploy root it cannot write: preflight refuses and says what to do', async () => {
    const d = device(3);
    // Even root cannot create a directory under a regular file.
    const blocker = join(d.sshd.dir, 'a-file');
    writeFileSync(blocker, 'x');
    const target = deployTargetFor(d.sshd, join(blocker, 'root'), {
      deviceId: 'ro',
      deviceName: 'read-only',
    });
    const result = only(await service.deployArtifact(next, [target]));
    expect(result).toMatchObject({
      status: 'failed',
      step: 'preflight',
      bytesSent: 0,
      error: { code: 'PREFLIGHT_FAILED' },
    });
    expect(result.error?.message).toMatch(/cannot create .*write access/);
  });

  it('host key changed: refused before any byte is sent', async () => {
    const d = device(4);
    const oldKey = d.sshd.hostPublicKey;
    await d.sshd.restartWithNewHostKey();
    const result = only(
      await service.deployArtifact(next, [
        { ...withCommands(d), ssh: { ...d.target.ssh, pinnedHostKey: oldKey } },
      ]),
    );
    expect(result).toMatchObject({
      status: 'failed',
      step: 'connect',
      bytesSent: 0,
      error: { code: 'HOST_KEY_MISMATCH' },
    });
    // Key exchange failed: the server never saw a login, let alone a command.
    expect(d.sshd.log()).not.toMatch(/Accepted|Failed publickey/);
    expect(remoteState(d.root, 'detector').releases).toEqual([rel(base)]);
    expectOn(d, rel(base), base.sha256);

    // The user verified the new key and trusted it.
    const retry = only(
      await service.deployArtifact(next, [
        { ...withCommands(d), ssh: { ...d.target.ssh, pinnedHostKey: d.sshd.hostPublicKey } },
      ]),
    );
    expect(retry.status).toBe('deployed');
    expectOn(d, rel(next), next.sha256);
  });

  it('device unreachable: a silent port times out, a closed one is refused; the retry reaches it', async () => {
    const d = device(3);
    const silent = await startSilentTcpServer();
    try {
      const target = withCommands(d);
      const timedOut = only(
        await service.deployArtifact(next, [
          { ...target, ssh: { ...target.ssh, port: silent.port, timeouts: { connectMs: 500 } } },
        ]),
      );
      expect(timedOut).toMatchObject({
        status: 'failed',
        step: 'connect',
        bytesSent: 0,
        error: { code: 'TIMEOUT' },
      });
      const refused = only(
        await service.deployArtifact(next, [{ ...target, ssh: { ...target.ssh, port: await closedPort() } }]),
      );
      expect(refused).toMatchObject({ status: 'failed', step: 'connect', error: { code: 'UNREACHABLE' } });
      expectOn(d, rel(base), base.sha256);

      expect(only(await service.deployArtifact(next, [target])).status).toBe('deployed');
      expectOn(d, rel(next), next.sha256);
    } finally {
      await silent.close();
    }
  });
});

describe('rollout control', () => {
  it('cancel mid-rollout: done devices stay switched, the uploading one and the rest stay on their release', async () => {
    const three = [device(0), device(1), device(2)];
    const before = three.map((d) => remoteState(d.root, 'detector').current);
    const controller = new AbortController();
    const events: DeployProgress[] = [];
    const target2 = three[1]?.target.deviceId;
    const big2 = randomArtifact(join(work, 'store'), 24 * 1024 * 1024, '20240204-000000');
    const report = await service.deployArtifact(
      big2,
      three.map((d) => withCommands(d)),
      { concurrency: 1 },
      {
        signal: controller.signal,
        onProgress: (e) => {
          events.push(e);
          if (e.deviceId === target2 && e.step === 'upload' && e.bytesSent > 0) controller.abort();
        },
      },
    );
    expect(report.deployment.status).toBe('cancelled');
    expect(report.devices.map((r) => r.status)).toEqual(['deployed', 'cancelled', 'cancelled']);
    expect(report.devices[1]).toMatchObject({ step: 'upload', error: { code: 'CANCELLED' } });
    expect(report.devices[1]?.bytesSent).toBeLessThan(big2.sizeBytes);
    expect(report.devices[2]).toMatchObject({ step: null, bytesSent: 0, error: { code: 'CANCELLED' } });
    expectOn(device(0), rel(big2), big2.sha256);
    expect(remoteState(device(1).root, 'detector').current).toBe(before[1]);
    expect(remoteState(device(2).root, 'detector').current).toBe(before[2]);
    // No row is left looking busy.
    expect(report.devices.every((r) => r.finishedAt !== null)).toBe(true);

    const retry = await service.deployArtifact(
      big2,
      three.map((d) => withCommands(d)),
      { concurrency: 1 },
    );
    expect(retry.devices.map((r) => [r.status, r.bytesSent])).toEqual([
      ['unchanged', 0],
      ['deployed', big2.sizeBytes],
      ['deployed', big2.sizeBytes],
    ]);
    for (const d of three) {
      expectOn(d, rel(big2), big2.sha256);
      expect(remoteState(d.root, 'detector').temps).toEqual([]);
    }
  });

  it('a cancel after the switch still carries the device through restart and health check', async () => {
    const d = device(1);
    const controller = new AbortController();
    const restartsBefore = restarts(d);
    const report = await service.deployArtifact(
      base,
      [withCommands(d), withCommands(device(2))],
      { concurrency: 1 },
      {
        signal: controller.signal,
        testHooks: { afterSwitch: () => controller.abort() },
      },
    );
    expect(report.devices.map((r) => r.status)).toEqual(['deployed', 'cancelled']);
    expect(restarts(d)).toBe(restartsBefore + 1);
    expectOn(d, rel(base), base.sha256);
    expect(report.deployment.status).toBe('cancelled');
  });

  it('a failing canary stops the rollout; the failure threshold stops starting devices', async () => {
    const canary = await service.deployArtifact(
      next,
      [withCommands(device(0), 'exit 3'), withCommands(device(1)), withCommands(device(2))],
      { canary: 1, ...fast },
    );
    expect(canary.deployment.status).toBe('stopped');
    expect(canary.deployment.error?.code).toBe('DEPLOY_STOPPED');
    expect(canary.devices.map((r) => r.status)).toEqual(['rolled_back', 'skipped', 'skipped']);
    expect(canary.devices[1]?.error).toMatchObject({ code: 'DEPLOY_STOPPED' });
    expect(canary.devices[1]?.error?.message).toMatch(/canary/);

    const port = await closedPort();
    const dead = (i: number): DeployTarget => ({
      ...device(i).target,
      deviceId: `dead-${i}`,
      deviceName: `dead-${i}`,
      ssh: { ...device(i).target.ssh, port },
    });
    const threshold = await service.deployArtifact(next, [dead(0), dead(1), withCommands(device(2))], {
      concurrency: 1,
      maxFailPercent: 30,
    });
    expect(threshold.deployment.status).toBe('stopped');
    expect(threshold.devices.map((r) => r.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(threshold.deployment.error?.message).toMatch(/1 of 3 devices failed, more than the 30% allowed/);
  });
});
