import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentReportSchema, deviceReleaseSchema } from '../../shared/schemas/deploy';
import { remoteState, startDeviceSshd } from '../../test/fixtures/deploy';
import type { SshdDevice } from '../../test/fixtures/sshd';
import { stopAllSshd } from '../../test/fixtures/sshd';
import { buildSmallCnn, writeTestModel } from '../../test/models';
import { findAnsiblePlaybook, runPlaybook } from '../core/deploy/ansible/run-playbook';
import { releaseName, versionFromImportedAt } from '../core/deploy/layout';
import { createSilentLogger } from '../core/logger';
import { createServices } from '../core/services';

/**
 * `edgefleet deploy --engine ansible`, `--export` and `--import-results` as a script runs them, against real
 * sshd devices of the inventory and Debian's ansible-playbook. Ansible is slow on 2 cores: long limits.
 */

const bin = fileURLToPath(new URL('../../bin/edgefleet.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ef-cli-ansible-'));
const dataDir = join(work, 'data');
let sshds: SshdDevice[];
const rootOf = (i: number) => join(sshds[i]?.dir ?? '', 'deploy root');
let base = '';

type Run = { code: number | null; stdout: string; stderr: string };

function edgefleet(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, '--data-dir', dataDir, ...args],
      { encoding: 'utf8', env: { ...process.env, EDGEFLEET_HOME: '' }, timeout: 400_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  findAnsiblePlaybook();
  sshds = await Promise.all([startDeviceSshd(), startDeviceSshd()]);
  const services = createServices({ dataDir, logger: createSilentLogger() });
  try {
    const path = join(work, 'detector.onnx');
    await writeTestModel(buildSmallCnn(), path);
    const { model } = await services.models.importFile(path, { name: 'detector' });
    base = releaseName(versionFromImportedAt(model.importedAt), model.sha256);
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
    const trusted = await services.fleet.trust(
      ['tag:lab'],
      sshds.map((s) => s.hostFingerprint),
    );
    expect(trusted.every((t) => t.ok)).toBe(true);
  } finally {
    await services.close();
  }
}, 120_000);

afterAll(async () => {
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

describe('edgefleet deploy --engine ansible', () => {
  it('deploys through ansible-playbook and records it for status; --export and --import-results do the same elsewhere', async () => {
    const run = await edgefleet([
      'deploy',
      'detector',
      '--to',
      'pi-1',
      '--engine',
      'ansible',
      '--forks',
      '2',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = deploymentReportSchema.parse(JSON.parse(run.stdout));
    expect(report.devices.map((d) => [d.deviceName, d.status])).toEqual([['pi-1', 'deployed']]);
    expect(remoteState(rootOf(0), 'detector').current).toBe(`releases/${base}`);
    const status = await edgefleet(['status', '--json']);
    const rows = deviceReleaseSchema.array().parse(JSON.parse(status.stdout));
    expect(rows.map((r) => [r.deviceName, r.current?.release, r.source])).toEqual([['pi-1', base, 'deploy']]);

    const dir = join(work, 'project');
    const exported = await edgefleet([
      'deploy',
      'detector',
      '--to',
      'pi-2',
      '--engine',
      'ansible',
      '--export',
      dir,
    ]);
    expect(exported.code).toBe(0);
    expect(readdirSync(dir).sort()).toContain('inventory.ini');
    const inventory = await edgefleet(['devices', 'export', '--format', 'ansible-ini', '--tag', 'lab']);
    const pi2 = inventory.stdout.split('\n').find((l) => l.startsWith('pi-2 '));
    expect(readFileSync(join(dir, 'inventory.ini'), 'utf8')).toContain(pi2);
    // Nothing ran yet: pi-2 has no release and no record.
    expect(remoteState(rootOf(1), 'detector').current).toBeNull();

    const elsewhere = await runPlaybook(findAnsiblePlaybook(), dir, 2);
    const results = join(work, 'results.json');
    writeFileSync(results, elsewhere.stdout);
    const imported = await edgefleet(['deploy', '--import-results', results, '--json']);
    expect(imported.code).toBe(0);
    expect(deploymentReportSchema.parse(JSON.parse(imported.stdout)).devices[0]?.status).toBe('deployed');
    const after = deviceReleaseSchema
      .array()
      .parse(JSON.parse((await edgefleet(['status', '--json'])).stdout));
    expect(after.map((r) => [r.deviceName, r.current?.release])).toEqual([
      ['pi-1', base],
      ['pi-2', base],
    ]);
    const drift = await edgefleet(['drift', '--json']);
    expect(drift.code).toBe(0);
  }, 900_000);

  it('fails with ANSIBLE_NOT_FOUND, changing nothing, when ansible-playbook is missing', async () => {
    const run = await new Promise<Run>((resolve) => {
      execFile(
        process.execPath,
        [bin, '--data-dir', dataDir, 'deploy', 'detector', '--to', 'pi-1', '--engine', 'ansible'],
        {
          encoding: 'utf8',
          env: { ...process.env, EDGEFLEET_HOME: '', EDGEFLEET_ANSIBLE_PLAYBOOK: '/nonexistent' },
        },
        (err, stdout, stderr) => resolve({ code: err === null ? 0 : Number(err.code), stdout, stderr }),
      );
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ANSIBLE_NOT_FOUND.*apt-get install ansible/);
  });
});
