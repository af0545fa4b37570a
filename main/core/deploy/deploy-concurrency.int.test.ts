import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../../../shared/errors';
import type { DeploymentReport, DeviceResult } from '../../../shared/schemas/deploy';
import type { CrashChildConfig } from '../../../test/fixtures/deploy-crash-child';
import {
  cnnArtifact,
  randomArtifact,
  remoteState,
  startDeployDevices,
  type DeployDevice,
} from '../../../test/fixtures/deploy';
import { repoRoot } from '../../../test/fixtures/repo-path';
import { stopAllSshd } from '../../../test/fixtures/sshd';
import { tempDatabase } from '../../../test/fixtures/temp-db';
import { DeployRunner } from './deploy-runner';
import { releaseName } from './layout';
import type { DeployArtifact } from './types';

/**
 * Fault matrix, concurrency rows: two deploys to one device, two processes on one data directory, two
 * EdgeFleets (two databases) on one device. Every case ends with the device on a consistent release, the
 * database telling the truth, and a retry that completes. Devices are real sshd processes; the second
 * process is a real child process, SIGKILLed.
 */

const { db, dir: work, file: dbFile } = tempDatabase('edgefleet-deploy-concurrency-');
let devices: DeployDevice[];
let service: DeployRunner;
let a: DeployArtifact;
let b: DeployArtifact;
let big: DeployArtifact;

const lockDir = (d: DeployDevice): string => join(d.root, '.edgefleet-lock');
const rel = (x: DeployArtifact): string => releaseName(x.version, x.sha256);

function device(i: number): DeployDevice {
  const d = devices[i];
  if (d === undefined) throw new Error(`no device ${i}`);
  return d;
}

function only(report: DeploymentReport): DeviceResult {
  expect(report.devices).toHaveLength(1);
  return report.devices[0] as DeviceResult;
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

/** Device and database both say the device runs `x`, with no temporary file and no lock left. */
function expectOn(d: DeployDevice, x: DeployArtifact, svc = service): void {
  const state = remoteState(d.root, 'detector');
  expect(state.current).toBe(`releases/${rel(x)}`);
  expect(state.currentSha256).toBe(x.sha256);
  expect(state.temps).toEqual([]);
  expect(existsSync(lockDir(d))).toBe(false);
  expect(svc.repo.releases({ deviceId: d.target.deviceId })[0]?.current).toMatchObject({
    release: rel(x),
    sha256: x.sha256,
  });
}

beforeAll(async () => {
  devices = await startDeployDevices(3);
  service = DeployRunner.open(db);
  a = cnnArtifact(join(work, 'store'), 31, '20240401-000000');
  b = cnnArtifact(join(work, 'store'), 32, '20240402-000000');
  big = randomArtifact(join(work, 'store'), 24 * 1024 * 1024, '20240403-000000');
});

afterAll(async () => {
  await stopAllSshd();
});

describe('two deploys to one device', () => {
  it('in one process: the second is refused with DEVICE_BUSY naming the first, nothing written; the retry completes', async () => {
    const d = device(0);
    let second: Promise<AppError | null> | undefined;
    const first = service.deployArtifact(
      big,
      [d.target],
      {},
      {
        onProgress: (e) => {
          // Settled into a value at once, so the refusal is never an unhandled rejection.
          if (second === undefined && e.step === 'upload')
            second = service.deployArtifact(a, [d.target]).then(
              () => null,
              (err: unknown) => err as AppError,
            );
        },
      },
    );
    const report = await first;
    expect(second).toBeDefined();
    const err = await second;
    expect(err?.code).toBe('DEVICE_BUSY');
    expect(err?.message).toContain(report.deployment.id);
    expect(err?.message).toContain('detector');
    expect(err?.details).toMatchObject({
      holders: [{ deploymentId: report.deployment.id, modelName: 'detector', deviceId: d.target.deviceId }],
    });
    // Nothing was written for the refused one; the first one finished untouched.
    expect(service.repo.deployments().map((h) => h.id)).toEqual([report.deployment.id]);
    expect(only(report)).toMatchObject({ status: 'deployed', bytesSent: big.sizeBytes });
    // OpenSSH's sftp-server offers fsync@openssh.com: the upload was flushed on the device before the switch.
    expect(only(report).log.map((l) => l.message)).toContain('Flushed to the device storage (SFTP fsync)');
    expectOn(d, big);

    const retry = only(await service.deployArtifact(a, [d.target]));
    expect(retry.status).toBe('deployed');
    expectOn(d, a);
  });
});

describe('two processes on one data directory, and a second EdgeFleet on the same device', () => {
  it('a running deployment in another process holds the device; once that process is killed, the retry takes over its lock', async () => {
    const d = device(1);
    const seeded = await service.deployArtifact(a, [d.target]);
    expect(seeded.deployment.status).toBe('succeeded');

    // Another process on the same data directory deploys b and stops right after switching.
    const configPath = join(work, 'child.json');
    const config: CrashChildConfig = {
      dbPath: dbFile,
      artifact: b,
      targets: [d.target],
      hangAfterSwitchOn: d.target.deviceId,
    };
    writeFileSync(configPath, JSON.stringify(config));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test/fixtures/deploy-crash-child.ts'), configPath],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const switched = await new Promise<boolean>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('SWITCHED')) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    expect(switched, stderr).toBe(true);
    const holder = service.repo.deployments()[0];
    expect(holder?.status).toBe('running');
    const holderId = holder?.id ?? '';
    expect(readFileSync(join(lockDir(d), 'owner'), 'utf8').split('\n')[0]).toBe(holderId);

    // This process, same database: refused before starting, naming the other process's deployment.
    const busy = await rejection(service.deployArtifact(a, [d.target]));
    expect(busy.code).toBe('DEVICE_BUSY');
    expect(busy.message).toContain(holderId);
    expect(() => service.assertDevicesFree([d.target])).toThrow(holderId);

    // Another EdgeFleet (its own database) sees only the device: the lock refuses that device.
    const other = tempDatabase('edgefleet-deploy-other-');
    const otherService = DeployRunner.open(other.db);
    const otherReport = await otherService.deployArtifact(a, [d.target]);
    expect(only(otherReport)).toMatchObject({
      status: 'failed',
      step: 'preflight',
      error: { code: 'DEVICE_BUSY' },
    });
    expect(only(otherReport).error?.message).toContain(holderId);
    expect(only(otherReport).error?.message).toContain('detector');
    expect(otherService.repo.releases({ deviceId: d.target.deviceId })).toEqual([]);
    expect(remoteState(d.root, 'detector').current).toBe(`releases/${rel(b)}`);

    child.kill('SIGKILL');
    await exited;

    // The retry: the dead process's deployment is marked interrupted, its device lock taken over (said so);
    // its switch to b was final (no restart or health check), so b is simply there; then the device goes to a.
    const resumed = only(await service.deployArtifact(b, [d.target]));
    expect(service.repo.report(holderId).deployment.status).toBe('interrupted');
    expect(resumed.status).toBe('unchanged');
    const log = resumed.log.map((l) => l.message).join('\n');
    expect(log).toMatch(
      new RegExp(`Took over the device lock .* from deployment ${holderId}: that deployment is interrupted`),
    );
    expectOn(d, b);
    expect(only(await service.deployArtifact(a, [d.target])).status).toBe('deployed');
    expectOn(d, a);
  });

  it('a lock of a deployment this database does not know is taken over only when it shows no progress', async () => {
    const d = device(2);
    const owner = join(lockDir(d), 'owner');
    mkdirSync(lockDir(d), { recursive: true });
    writeFileSync(owner, `d_elsewhere\n${Math.floor(Date.now() / 1000)}\nsegmenter\n`);

    const refused = only(await service.deployArtifact(a, [d.target]));
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'DEVICE_BUSY' } });
    expect(refused.error?.message).toMatch(/deployment d_elsewhere of model segmenter, started at 20/);
    expect(remoteState(d.root, 'detector').current).toBeNull();

    // An hour without progress, past the (short, for the test) bound: taken over, and the log says why.
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(owner, hourAgo, hourAgo);
    const patient = new DeployRunner(db, { lock: { staleAfterMs: 10 * 60_000 } });
    const taken = only(await patient.deployArtifact(a, [d.target]));
    expect(taken.status).toBe('deployed');
    expect(taken.log.map((l) => l.message).join('\n')).toMatch(
      /Took over the device lock .* from deployment d_elsewhere: this database does not know it, and its lock showed no progress for \d+ s \(more than 600 s\)/,
    );
    expectOn(d, a);
  });
});
