import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  deployPreviewSchema,
  deploymentReportSchema,
  deploymentSchema,
  deviceReleaseSchema,
  driftReportSchema,
  type DeploymentReport,
} from '../../shared/schemas/deploy';
import { optimizeRequestSchema } from '../../shared/schemas/optimize';
import { remoteState, startDeviceSshd } from '../../test/fixtures/deploy';
import type { SshdDevice } from '../../test/fixtures/sshd';
import { stopAllSshd } from '../../test/fixtures/sshd';
import { buildSmallCnn, writeTestModel } from '../../test/models';
import { releaseName, versionFromImportedAt } from '../core/deploy/layout';
import { createSilentLogger } from '../core/logger';
import { createServices } from '../core/services';

/** `edgefleet deploy | status | drift | rollback | history` as a script runs them, against real sshd devices. */

const bin = fileURLToPath(new URL('../../bin/edgefleet.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ef-cli-deploy-'));
const dataDir = join(work, 'data');
let sshds: SshdDevice[];
const rootOf = (i: number) => join(sshds[i]?.dir ?? '', 'deploy root');
const untrustedRoot = () => join(sshds[0]?.dir ?? '', 'untrusted root');
let base = '';
let variant = '';
let variantId = '';

type Run = { code: number | null; stdout: string; stderr: string };

/** The real command: argv straight to the process, no shell, no terminal. */
function edgefleet(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, '--data-dir', dataDir, ...args],
      { encoding: 'utf8', env: { ...process.env, EDGEFLEET_HOME: '' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
const json = (args: string[]) => edgefleet([...args, '--json']);
const report = (r: Run): DeploymentReport => deploymentReportSchema.parse(JSON.parse(r.stdout));
const statuses = (r: DeploymentReport) => r.devices.map((d) => [d.deviceName, d.status]);

beforeAll(async () => {
  sshds = await Promise.all([startDeviceSshd(), startDeviceSshd()]);
  // The inventory and the models are set up in-process (their own CLI tests cover those commands).
  const services = createServices({ dataDir, logger: createSilentLogger() });
  try {
    const path = join(work, 'detector.onnx');
    await writeTestModel(buildSmallCnn(), path);
    const { model } = await services.models.importFile(path, { name: 'detector' });
    base = releaseName(versionFromImportedAt(model.importedAt), model.sha256);
    const fp16 = await services.optimize.optimize(
      optimizeRequestSchema.parse({ model: model.id, options: { method: 'fp16' } }),
    );
    variant = releaseName(versionFromImportedAt(fp16.model.importedAt), fp16.model.sha256);
    variantId = fp16.model.id;
    const add = (name: string, sshd: SshdDevice, deployRoot: string, tags: string[]) =>
      services.fleet.add({
        name,
        host: sshd.host,
        port: sshd.port,
        user: sshd.username,
        keyPath: sshd.clientKeyPath,
        deployRoot,
        healthCmd: 'test -s "$1"',
        tags,
      });
    sshds.forEach((sshd, i) => add(`pi-${i + 1}`, sshd, rootOf(i), ['lab']));
    add('pi-new', sshds[0] as SshdDevice, untrustedRoot(), []);
    const trusted = await services.fleet.trust(
      ['tag:lab'],
      sshds.map((s) => s.hostFingerprint),
    );
    expect(trusted.every((t) => t.ok)).toBe(true);
  } finally {
    await services.close();
  }
});

afterAll(async () => {
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

describe('edgefleet deploy and friends', () => {
  it('deploys to two devices, then a re-deploy is unchanged with 0 bytes sent', async () => {
    const first = await json(['deploy', 'detector', '--to', 'tag:lab', '--concurrency', '2']);
    expect(first.code).toBe(0);
    const r1 = report(first);
    expect(r1.deployment).toMatchObject({ status: 'succeeded', modelName: 'detector', release: base });
    expect(statuses(r1)).toEqual([
      ['pi-1', 'deployed'],
      ['pi-2', 'deployed'],
    ]);
    // --json keeps stderr free of progress: stdout is one document.
    expect(first.stderr).toBe('');
    for (const i of [0, 1]) {
      const state = remoteState(rootOf(i), 'detector');
      expect(state.current).toBe(`releases/${base}`);
      expect(state.manifest).toMatchObject({ release: base, modelName: 'detector' });
    }

    const again = await json(['deploy', 'detector', '--to', 'pi-1', 'pi-2']);
    expect(again.code).toBe(0);
    const r2 = report(again);
    expect(statuses(r2)).toEqual([
      ['pi-1', 'unchanged'],
      ['pi-2', 'unchanged'],
    ]);
    expect(r2.devices.map((d) => d.bytesSent)).toEqual([0, 0]);
  });

  it('deploys a variant with per-device progress lines on stderr and a table on stdout', async () => {
    const run = await edgefleet(['deploy', variantId, '--to', 'pi-1', '--keep-releases', '2']);
    expect(run.code).toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toContain(`detector/${variant}`);
    // One line per step change of the device, ending with its result.
    expect(lines).toEqual(
      expect.arrayContaining([
        '[0/1] pi-1: connect',
        expect.stringMatching(/^\[0\/1\] pi-1: upload \d/),
        '[0/1] pi-1: switch',
        '[1/1] pi-1: deployed',
      ]),
    );
    expect(new Set(lines).size).toBe(lines.length);
    expect(run.stdout).toMatch(/pi-1\s+deployed\s+\S+\s+\S+/);
    expect(run.stdout).toContain('1 device(s): 1 deployed');
    expect(remoteState(rootOf(0), 'detector').current).toBe(`releases/${variant}`);
  });

  it('shows what runs where, finds the devices in sync, rolls one back and lists the history', async () => {
    const status = await json(['status']);
    expect(status.code).toBe(0);
    const rows = z.array(deviceReleaseSchema).parse(JSON.parse(status.stdout));
    expect(rows.map((r) => [r.deviceName, r.current?.release, r.previous?.release ?? null])).toEqual([
      ['pi-1', variant, base],
      ['pi-2', base, null],
    ]);
    const one = await edgefleet(['status', '--device', 'pi-2']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`pi-2\\s+detector\\s+${base}`));
    expect(one.stdout).not.toContain('pi-1');

    const drift = await json(['drift', '--to', 'tag:lab']);
    expect(drift.code).toBe(0);
    expect(
      driftReportSchema.parse(JSON.parse(drift.stdout)).results.map((r) => [r.deviceName, r.state]),
    ).toEqual([
      ['pi-1', 'in_sync'],
      ['pi-2', 'in_sync'],
    ]);

    const rollback = await json(['rollback', 'pi-1']);
    expect(rollback.code).toBe(0);
    const rolled = report(rollback);
    expect(rolled.deployment).toMatchObject({ kind: 'rollback', status: 'succeeded', modelName: 'detector' });
    expect(rolled.devices).toMatchObject([
      { deviceName: 'pi-1', releaseBefore: variant, releaseAfter: base },
    ]);
    expect(remoteState(rootOf(0), 'detector').current).toBe(`releases/${base}`);

    const history = await json(['history']);
    expect(history.code).toBe(0);
    const deployments = z.array(deploymentSchema).parse(JSON.parse(history.stdout));
    expect(deployments.map((d) => [d.kind, d.status, d.targets.length])).toEqual([
      ['rollback', 'succeeded', 1],
      ['deploy', 'succeeded', 1],
      ['deploy', 'succeeded', 2],
      ['deploy', 'succeeded', 2],
    ]);
    const shown = await edgefleet(['history', rolled.deployment.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`${rolled.deployment.id}: rollback of detector`);
  });

  it('refuses an untrusted device with HOST_KEY_UNKNOWN before any byte is sent (exit 1, full report)', async () => {
    const run = await json(['deploy', 'detector', '--to', 'pi-new']);
    expect(run.code).toBe(1);
    const r = report(run);
    expect(r.deployment.status).toBe('failed');
    expect(r.devices).toMatchObject([
      { deviceName: 'pi-new', status: 'failed', bytesSent: 0, error: { code: 'HOST_KEY_UNKNOWN' } },
    ]);
    expect(existsSync(untrustedRoot())).toBe(false);
  });

  it('reports drift with exit 1, previews and plans without running, and rejects bad usage with exit 2', async () => {
    appendFileSync(join(rootOf(1), 'detector', 'current', 'model.onnx'), 'tampered');
    const drift = await edgefleet(['drift', '--to', 'pi-2']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/pi-2\s+detector\s+modified/);

    const dry = await json(['deploy', 'detector', '--to', 'all', '--dry-run']);
    expect(dry.code).toBe(0);
    const doc = z.object({
      preview: deployPreviewSchema,
      plan: z.looseObject({ devices: z.array(z.looseObject({})) }),
    });
    const { preview, plan } = doc.parse(JSON.parse(dry.stdout));
    // pi-2's file was changed on the device: the deploy repairs it rather than "changing nothing".
    expect(preview.devices.map((d) => [d.deviceName, d.trusted, d.unchanged, d.repair])).toEqual([
      ['pi-1', true, true, false],
      ['pi-2', true, false, true],
      ['pi-new', false, false, false],
    ]);
    const text = await edgefleet(['deploy', 'detector', '--to', 'pi-2', '--dry-run']);
    expect(text.stdout).toMatch(/pi-2 .* repair /);
    expect(text.stdout).toContain('will repair it');
    // Plans carry credentials in memory; what is printed never does.
    expect(plan.devices.every((d) => !('ssh' in d))).toBe(true);
    expect(dry.stdout).not.toContain('privateKeyPath');

    for (const args of [
      ['deploy', 'detector', '--to', 'pi-1', '--concurrency', '1000'],
      ['deploy', 'detector', '--to', 'pi-1', '--max-fail-percent', '150'],
    ]) {
      expect((await edgefleet(args)).code, args.join(' ')).toBe(2);
    }
    const missing = await json(['deploy', 'nope', '--to', 'pi-1']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
