import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyEvent } from '../../shared/contract';
import { contract } from '../../shared/contract';
import type { Result } from '../../shared/result';
import type { BenchReport, BenchResult, HardwareProfile } from '../../shared/schemas/bench';
import type { SshdDevice } from '../../test/fixtures/sshd';
import { startSshd, stopAllSshd } from '../../test/fixtures/sshd';
import { buildSmallCnn, writeTestModel } from '../../test/models';
import { repoPath } from '../../test/fixtures/repo-path';
import { createSilentLogger } from '../core/logger';
import { createServices, type Services } from '../core/services';
import { stopRuleOf } from './bench-handlers';
import { createDispatcher, type Dispatch } from './dispatcher';
import { createHandlers } from './handlers';
import { KeyPathPolicy } from '../core/fleet/devices/key-path-policy';

/** bench.* and profiles.* as the UI calls them: through the dispatcher, with jobs and events. */

const work = mkdtempSync(join(tmpdir(), 'ef-bench-contract-'));
let services: Services;
let dispatch: Dispatch;
const events: AnyEvent[] = [];
const ctx = { transport: 'web' as const };

async function call(method: string, params: unknown): Promise<unknown> {
  const result = (await dispatch(method, params, ctx)) as Result<unknown>;
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value;
}

async function job(method: keyof typeof contract, params: unknown): Promise<unknown> {
  const { jobId } = z.object({ jobId: z.string() }).parse(await call(method, params));
  await expect
    .poll(() => events.some((e) => e.name !== 'job.progress' && e.payload.jobId === jobId), {
      timeout: 60_000,
    })
    .toBe(true);
  const end = events.find((e) => e.name !== 'job.progress' && e.payload.jobId === jobId);
  if (end?.name !== 'job.done') throw new Error(`job failed: ${JSON.stringify(end)}`);
  const spec = contract[method] as { job?: z.ZodType };
  return spec.job?.parse(end.payload.result);
}

beforeAll(async () => {
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
  services.jobs.subscribe((e) => events.push(e));
  dispatch = createDispatcher(createHandlers(services, { kind: 'web' }, new KeyPathPolicy([tmpdir()])));
  const path = join(work, 'cnn.onnx');
  await writeTestModel(buildSmallCnn(), path);
  await services.models.importFile(path, { name: 'cnn' });
}, 60_000);
afterAll(async () => {
  await services?.close();
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

const userProfile = {
  id: 'my-board',
  name: 'My board',
  arch: 'arm64',
  cpuModel: '4× Cortex-A55 @ 2.0 GHz',
  cores: 4,
  clockGHz: 2,
  features: ['neon', 'dotprod'],
  peakGflopsFp32PerThread: 16,
  peakGflopsFp32: 64,
  peakGopsInt8PerThread: 64,
  peakGopsInt8: 256,
  memoryBandwidthGBs: 12.8,
  ramGB: 4,
};

describe('bench.run over the dispatcher', () => {
  it('measures on this machine and estimates on a profile as a job with progress, then lists the stored results', async () => {
    const report = (await job('bench.run', {
      models: ['cnn'],
      profiles: ['rpi5'],
      iterations: 5,
      threads: 1,
    })) as BenchReport;
    expect(report.results.map((r) => [r.source, r.target.kind, r.target.id])).toEqual([
      ['measured', 'local', 'this-machine'],
      ['estimated', 'profile', 'rpi5'],
    ]);
    const measured = report.results[0];
    expect(measured?.measured?.latency.iterations).toBe(5);
    expect(measured?.settings.threads).toBe(1);
    expect(report.estimatorError.rows).toHaveLength(1);
    const percents = events.flatMap((e) =>
      e.name === 'job.progress' && e.payload.kind === 'bench.run' ? [e.payload.percent] : [],
    );
    expect(percents.length).toBeGreaterThan(1);
    expect(percents.at(-1)).toBe(100);

    const stored = (await call('bench.results', { model: 'cnn' })) as BenchResult[];
    expect(stored.map((r) => r.id).sort()).toEqual(report.results.map((r) => r.id).sort());
    const onPi = (await call('bench.results', {
      target: { kind: 'profile', id: 'rpi5' },
    })) as BenchResult[];
    expect(onPi.map((r) => r.source)).toEqual(['estimated']);
  }, 90_000);

  it('estimates only, when local is false', async () => {
    const report = (await job('bench.run', {
      models: ['cnn'],
      local: false,
      profiles: ['rpi4', 'intel-n100'],
    })) as BenchReport;
    expect(report.results.map((r) => r.target.id)).toEqual(['rpi4', 'intel-n100']);
    expect(report.results.every((r) => r.source === 'estimated' && r.estimate !== null)).toBe(true);
    // "This machine" as a profile: the calibration the estimates just used, with what it measured.
    const machine = (await call('profiles.get', { id: 'this-machine' })) as HardwareProfile;
    expect(machine.origin).toBe('measured');
    expect(machine.measured?.fp32Gflops).toBeGreaterThan(0);
  }, 60_000);

  it('measures on a fleet device over SSH (this machine’s node with onnxruntime-node as its runtime)', async () => {
    const device: SshdDevice = await startSshd();
    const deployRoot = join(work, 'device-root');
    // The device's runtime: <deployRoot>/runtime/node_modules holds onnxruntime-node (this repository's).
    mkdirSync(join(deployRoot, 'runtime'), { recursive: true });
    symlinkSync(repoPath('node_modules'), join(deployRoot, 'runtime', 'node_modules'));
    await call('devices.add', {
      name: 'pi-1',
      host: device.host,
      port: device.port,
      user: device.username,
      keyPath: device.clientKeyPath,
      deployRoot,
    });
    await call('devices.trust', { devices: [{ ref: 'pi-1', fingerprints: [device.hostFingerprint] }] });
    const report = (await job('bench.run', {
      models: ['cnn'],
      local: false,
      devices: ['pi-1'],
      iterations: 3,
      threads: 1,
    })) as BenchReport;
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({
      source: 'measured',
      target: { kind: 'device', id: 'pi-1' },
      runtime: 'onnxruntime-node',
      measured: { latency: { iterations: 3 } },
    });
    const stored = (await call('bench.results', { target: { kind: 'device', id: 'pi-1' } })) as BenchResult[];
    expect(stored.map((r) => r.id)).toEqual([report.results[0]?.id]);
  }, 90_000);

  it('refuses bad requests before any work starts', async () => {
    await expect(call('bench.run', { models: ['cnn'], iterations: 5, durationS: 1 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('not both'),
    });
    await expect(call('bench.run', { models: ['cnn'], local: false })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('nothing to run'),
    });
    await expect(call('bench.run', { models: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(call('bench.run', { models: ['nope'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(call('bench.run', { models: ['cnn'], devices: ['ghost'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(call('bench.run', { models: ['cnn'], dims: { batch: 0 } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('maps the UI stop rule like the CLI', () => {
    expect(stopRuleOf({ iterations: 7 })).toEqual({ kind: 'iterations', count: 7 });
    expect(stopRuleOf({ durationS: 1.5 })).toEqual({ kind: 'duration', ms: 1500, minIterations: 3 });
    expect(stopRuleOf({})).toBeUndefined();
  });
});

describe('profiles.* over the dispatcher', () => {
  it('lists the catalog, imports a user profile from a granted file, and removes it', async () => {
    const builtins = (await call('profiles.list', {})) as HardwareProfile[];
    expect(builtins.length).toBeGreaterThanOrEqual(10);
    expect(builtins.every((p) => p.origin === 'builtin')).toBe(true);
    expect((await call('profiles.get', { id: 'rpi5' })) as HardwareProfile).toMatchObject({ cores: 4 });

    const path = join(work, 'boards.yaml');
    writeFileSync(path, `profiles:\n  - ${JSON.stringify(userProfile)}\n`);
    const { fileRef } = await services.files.grantPath(path);
    expect(await call('profiles.import', { fileRef })).toEqual({
      file: 'boards.yaml',
      imported: [{ id: 'my-board', action: 'added' }],
    });
    const listed = (await call('profiles.list', {})) as HardwareProfile[];
    expect(listed.find((p) => p.id === 'my-board')).toMatchObject({ origin: 'user', ramGB: 4 });

    expect(await call('profiles.remove', { id: 'my-board' })).toEqual({ id: 'my-board' });
    await expect(call('profiles.remove', { id: 'rpi5' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(call('profiles.get', { id: 'my-board' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rejects a bad file with the field and the reason in details.issues', async () => {
    const path = join(work, 'bad.json');
    writeFileSync(path, JSON.stringify([{ ...userProfile, ramGB: -1, cores: 'four' }]));
    const { fileRef } = await services.files.grantPath(path);
    const error = await call('profiles.import', { fileRef }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROFILE_INVALID' });
    const issues = (error as { details: { issues: { path: string; message: string }[] } }).details.issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: '[0].ramGB', message: 'expected a positive number' },
        { path: '[0].cores', message: 'expected a positive whole number' },
      ]),
    );
    expect(((await call('profiles.list', {})) as HardwareProfile[]).some((p) => p.origin === 'user')).toBe(
      false,
    );
  });
});
