import { modelLineageSchema } from '../../shared/schemas/lineage';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyEvent } from '../../shared/contract';
import { contract } from '../../shared/contract';
import type { Result } from '../../shared/result';
import {
  deployPreviewSchema,
  deployProgressSchema,
  deploymentReportSchema,
  deploymentSchema,
  deviceReleaseSchema,
  driftReportSchema,
  type DeploymentReport,
} from '../../shared/schemas/deploy';
import { importResultSchema } from '../../shared/schemas/models';
import { remoteState, sha256Of, startDeviceSshd } from '../../test/fixtures/deploy';
import type { SshdDevice } from '../../test/fixtures/sshd';
import { stopAllSshd } from '../../test/fixtures/sshd';
import { buildSmallCnn, writeTestModel } from '../../test/models';
import { releaseName, versionFromImportedAt } from '../core/deploy/layout';
import { createSilentLogger } from '../core/logger';
import { createServices, type Services } from '../core/services';
import { createDispatcher, type Dispatch } from './dispatcher';
import { createHandlers } from './handlers';
import { KeyPathPolicy } from '../core/fleet/devices/key-path-policy';

/** The deploy.* methods as the UI calls them: through the dispatcher, with jobs and per-device events. */

const work = mkdtempSync(join(tmpdir(), 'ef-deploy-contract-'));
let services: Services;
let dispatch: Dispatch;
let sshds: SshdDevice[];
const events: AnyEvent[] = [];
const ctx = { transport: 'web' as const };
const rootOf = (i: number) => join(sshds[i]?.dir ?? '', "models 'root'");
let modelId: string;
let release: string;
let sha256: string;

async function call(method: string, params: unknown): Promise<unknown> {
  const result = (await dispatch(method, params, ctx)) as Result<unknown>;
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value;
}

/** Starts a job method and resolves with its checked result once `job.done` arrives. */
async function job(
  method: keyof typeof contract,
  params: unknown,
): Promise<{ jobId: string; result: unknown }> {
  const { jobId } = z.object({ jobId: z.string() }).parse(await call(method, params));
  await expect
    .poll(() => events.some((e) => e.name !== 'job.progress' && e.payload.jobId === jobId), {
      timeout: 40_000,
    })
    .toBe(true);
  const end = events.find((e) => e.name !== 'job.progress' && e.payload.jobId === jobId);
  if (end?.name !== 'job.done') throw new Error(`job failed: ${JSON.stringify(end)}`);
  const spec = contract[method] as { job?: z.ZodType };
  return { jobId, result: spec.job?.parse(end.payload.result) };
}

const byName = (report: DeploymentReport, name: string) => report.devices.find((d) => d.deviceName === name);

beforeAll(async () => {
  sshds = await Promise.all([startDeviceSshd(), startDeviceSshd()]);
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
  services.jobs.subscribe((e) => events.push(e));
  dispatch = createDispatcher(createHandlers(services, { kind: 'web' }, new KeyPathPolicy([tmpdir()])));
  const path = join(work, 'detector.onnx');
  await writeTestModel(buildSmallCnn(), path);
  const { model } = importResultSchema.parse(await services.models.importFile(path, { name: 'detector' }));
  modelId = model.id;
  sha256 = model.sha256;
  release = releaseName(versionFromImportedAt(model.importedAt), model.sha256);
  sshds.forEach((sshd, i) =>
    services.fleet.add({
      name: `pi-${i + 1}`,
      host: sshd.host,
      port: sshd.port,
      user: sshd.username,
      keyPath: sshd.clientKeyPath,
      deployRoot: rootOf(i),
      healthCmd: 'test -s "$1"',
      tags: ['lab'],
    }),
  );
  const sshd1 = sshds[0];
  if (sshd1 === undefined) throw new Error('no device');
  expect(await services.fleet.trust(['pi-1'], [sshd1.hostFingerprint])).toMatchObject([{ ok: true }]);
});

afterAll(async () => {
  await services?.close();
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

describe('deploy.* over the dispatcher', () => {
  it('previews from the database: trust, what runs now, and what preflight would refuse', async () => {
    const preview = deployPreviewSchema.parse(
      await call('deploy.preview', { model: 'detector', targets: ['tag:lab'] }),
    );
    expect(preview).toMatchObject({ modelId, modelName: 'detector' });
    expect(preview.devices.map((d) => [d.deviceName, d.trusted, d.current, d.unchanged])).toEqual([
      ['pi-1', true, null, false],
      ['pi-2', false, null, false],
    ]);
    expect(preview.devices[1]?.notes.join(' ')).toContain('HOST_KEY_UNKNOWN');
    expect(preview.devices[0]?.notes.join(' ')).toContain('Never probed');
    expect(preview.devices[0]?.freeDiskBytes).toBeNull();

    // After a probe, the free disk at the deploy root comes from the probe's facts.
    await services.fleet.probe(['pi-1']);
    const probed = deployPreviewSchema.parse(
      await call('deploy.preview', { model: modelId, targets: ['pi-1'] }),
    );
    expect(probed.devices[0]?.freeDiskBytes).toBeGreaterThan(0);
    expect(probed.devices[0]?.notes.join(' ')).not.toContain('Never probed');
  });

  it('refuses unknown models, devices and bad options before any job starts', async () => {
    const jobsBefore = events.length;
    await expect(call('deploy.run', { model: 'nope', targets: ['all'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(call('deploy.run', { model: 'detector', targets: ['pi-9'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      call('deploy.run', { model: 'detector', targets: ['all'], options: { concurrency: 0 } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      call('deploy.rollback', { targets: ['pi-1'], model: 'detector', toRelease: '../x' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(events.length).toBe(jobsBefore);
  });

  it('runs a deploy as a job with live per-device progress; an untrusted device fails before any byte', async () => {
    const { jobId, result } = await job('deploy.run', { model: 'detector', targets: ['all'] });
    const report = deploymentReportSchema.parse(result);
    expect(report.deployment).toMatchObject({ status: 'failed', modelName: 'detector', release });
    expect(byName(report, 'pi-1')).toMatchObject({ status: 'deployed', releaseAfter: release });
    expect(byName(report, 'pi-2')).toMatchObject({
      status: 'failed',
      bytesSent: 0,
      error: { code: 'HOST_KEY_UNKNOWN' },
    });
    const state = remoteState(rootOf(0), 'detector');
    expect(state.current).toBe(`releases/${release}`);
    expect(state.currentSha256).toBe(sha256);
    expect(remoteState(rootOf(1), 'detector').current).toBeNull();

    const progress = events.filter((e) => e.name === 'job.progress' && e.payload.jobId === jobId);
    const details = progress.map((e) =>
      deployProgressSchema.parse(e.name === 'job.progress' ? e.payload.detail : null),
    );
    // Every device has its own stream of events, with the step as the phase.
    expect(new Set(details.map((d) => d.deviceName))).toEqual(new Set(['pi-1', 'pi-2']));
    expect(details.filter((d) => d.deviceName === 'pi-1').map((d) => d.step)).toEqual(
      expect.arrayContaining(['connect', 'preflight', 'upload', 'verify', 'switch', 'health', 'done']),
    );
    // Small files upload within one throttle interval: the bytes are in the report.
    const size = services.models.get(modelId).sizeBytes;
    expect(byName(report, 'pi-1')).toMatchObject({ bytesSent: size, bytesTotal: size });
    const last = progress.at(-1);
    expect(last?.name === 'job.progress' && last.payload.percent).toBe(100);
    // What the UI receives never holds credentials.
    const sent = JSON.stringify([...progress, ...events.filter((e) => e.payload.jobId === jobId)]);
    expect(sent).not.toContain(sshds[0]?.clientKeyPath);
    expect(sent).not.toContain('privateKeyPath');
  });

  it('re-deploys without transferring, then status, history and report agree with the devices', async () => {
    const sshd2 = sshds[1];
    if (sshd2 === undefined) throw new Error('no device');
    await services.fleet.trust(['pi-2'], [sshd2.hostFingerprint]);
    const report = deploymentReportSchema.parse(
      (await job('deploy.run', { model: 'detector', targets: ['tag:lab'], options: { concurrency: 2 } }))
        .result,
    );
    expect(report.deployment.status).toBe('succeeded');
    expect(byName(report, 'pi-1')).toMatchObject({ status: 'unchanged', bytesSent: 0 });
    expect(byName(report, 'pi-2')).toMatchObject({ status: 'deployed', releaseAfter: release });
    expect(remoteState(rootOf(1), 'detector').currentSha256).toBe(sha256);

    const preview = deployPreviewSchema.parse(
      await call('deploy.preview', { model: 'detector', targets: ['all'] }),
    );
    expect(preview.devices.map((d) => [d.unchanged, d.current?.release])).toEqual([
      [true, release],
      [true, release],
    ]);

    const status = z.array(deviceReleaseSchema).parse(await call('deploy.status', { device: 'pi-2' }));
    expect(status).toMatchObject([
      { deviceName: 'pi-2', modelName: 'detector', current: { release, sha256 } },
    ]);
    expect(z.array(deviceReleaseSchema).parse(await call('deploy.status', {}))).toHaveLength(2);
    const history = z.array(deploymentSchema).parse(await call('deploy.history', {}));
    expect(history.map((d) => d.status)).toEqual(['succeeded', 'failed']);
    expect(
      z.array(deploymentSchema).parse(await call('deploy.history', { device: 'pi-1', limit: 1 })),
    ).toHaveLength(1);
    const again = deploymentReportSchema.parse(await call('deploy.report', { id: report.deployment.id }));
    expect(again).toEqual(report);
    await expect(call('deploy.report', { id: 'd_missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Changed on the device: drift says modified, so the preflight says the deploy repairs it (not "nothing").
    appendFileSync(join(rootOf(1), 'detector', 'current', 'model.onnx'), 'tampered');
    const drift = driftReportSchema.parse((await job('deploy.drift', { targets: ['pi-2'] })).result);
    expect(drift.results.map((r) => r.state)).toEqual(['modified']);
    const repair = deployPreviewSchema.parse(
      await call('deploy.preview', { model: 'detector', targets: ['all'] }),
    );
    expect(repair.variantName).toBe('detector');
    expect(repair.devices.map((d) => [d.deviceName, d.unchanged, d.repair])).toEqual([
      ['pi-1', true, false],
      ['pi-2', false, true],
    ]);
    expect(repair.devices[1]?.notes.join(' ')).toContain('will repair');
    const repaired = deploymentReportSchema.parse(
      (await job('deploy.run', { model: 'detector', targets: ['pi-2'] })).result,
    );
    expect(byName(repaired, 'pi-2')).toMatchObject({ status: 'deployed', releaseAfter: release });
    expect(remoteState(rootOf(1), 'detector').currentSha256).toBe(sha256);
    const after = deployPreviewSchema.parse(
      await call('deploy.preview', { model: 'detector', targets: ['pi-2'] }),
    );
    expect(after.devices.map((d) => [d.unchanged, d.repair])).toEqual([[true, false]]);
  });

  it('checks drift and rolls a device back to its previous release after a variant was deployed', async () => {
    const variant = importResultSchema.parse(
      (await job('optimize.run', { model: 'detector', options: { method: 'fp16' } })).result,
    ).model;
    const variantRelease = releaseName(versionFromImportedAt(variant.importedAt), variant.sha256);
    const deployed = deploymentReportSchema.parse(
      (await job('deploy.run', { model: variant.id, targets: ['pi-1'] })).result,
    );
    // A variant lives under its lineage's model directory: the same `current` link switches.
    expect(deployed.deployment).toMatchObject({ status: 'succeeded', modelName: 'detector' });
    expect(remoteState(rootOf(0), 'detector').current).toBe(`releases/${variantRelease}`);

    // Lineage both ways: the variant knows its benchmarks and the device that runs it (release name).
    await job('bench.run', { models: [variant.id], profiles: ['rpi5'], local: false });
    const lineage = modelLineageSchema.parse(await call('models.lineage', { ref: variant.id }));
    expect(lineage.benchmarks.map((b) => [b.source, b.targetKind, b.targetId])).toEqual([
      ['estimated', 'profile', 'rpi5'],
    ]);
    expect(lineage.benchmarks[0]?.latencyMs).toBeGreaterThan(0);
    expect(lineage.runningOn).toMatchObject([{ deviceName: 'pi-1', release: variantRelease }]);
    const parentLineage = modelLineageSchema.parse(await call('models.lineage', { ref: 'detector' }));
    expect(parentLineage.runningOn.map((d) => [d.deviceName, d.release])).toEqual([['pi-2', release]]);

    const drift = driftReportSchema.parse((await job('deploy.drift', { targets: ['all'] })).result);
    expect(drift.errors).toEqual([]);
    expect(drift.results.map((r) => [r.deviceName, r.state])).toEqual([
      ['pi-1', 'in_sync'],
      ['pi-2', 'in_sync'],
    ]);

    const rolled = deploymentReportSchema.parse((await job('deploy.rollback', { targets: ['pi-1'] })).result);
    expect(rolled.deployment).toMatchObject({ kind: 'rollback', status: 'succeeded' });
    expect(byName(rolled, 'pi-1')).toMatchObject({ releaseBefore: variantRelease, releaseAfter: release });
    const state = remoteState(rootOf(0), 'detector');
    expect(state.current).toBe(`releases/${release}`);
    expect(sha256Of(readFileSync(join(rootOf(0), 'detector', 'current', 'model.onnx')))).toBe(sha256);
    expect(z.array(deviceReleaseSchema).parse(await call('deploy.status', { device: 'pi-1' }))).toMatchObject(
      [{ current: { release }, previous: { release: variantRelease }, source: 'rollback' }],
    );
  });
});
