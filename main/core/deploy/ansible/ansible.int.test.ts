import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRelease, DriftResult } from '../../../../shared/schemas/deploy';
import {
  cnnArtifact,
  remoteState,
  startDeployDevices,
  type DeployDevice,
} from '../../../../test/fixtures/deploy';
import { stopAllSshd } from '../../../../test/fixtures/sshd';
import { tempDatabase } from '../../../../test/fixtures/temp-db';
import { quote } from '../../fleet/ssh';
import { DeployRunner } from '../deploy-runner';
import { releaseName } from '../layout';
import { planDeploy } from '../plan';
import type { DeployArtifact, DeployTarget } from '../types';
import { AnsibleEngine } from './engine';
import { inventoryFromTargets } from './inventory';
import { findAnsiblePlaybook, runPlaybook } from './run-playbook';

/**
 * The Ansible engine against real sshd devices with Debian's ansible-playbook: a rollout to several devices at
 * once, an idempotent re-run, a failed health check that switches back, and the same records and drift result
 * as the built-in engine. Ansible forks a Python worker per host and task: on 2 cores each device costs ~8 s
 * (10 devices took 85 s, so four show the fan-out; bench:deploy measures it at scale), ~3× that on a machine
 * 3× slower, hence a generous limit.
 */

const slow = 900_000;
const fleetSize = 4;
const { db, dir: work } = tempDatabase('edgefleet-ansible-test-');
let devices: DeployDevice[];
let runner: DeployRunner;
let engine: AnsibleEngine;
let a: DeployArtifact;
let b: DeployArtifact;

const rel = (x: DeployArtifact): string => releaseName(x.version, x.sha256);

function dev(i: number): DeployDevice {
  const d = devices[i];
  if (d === undefined) throw new Error(`no device ${i}`);
  return d;
}

const restartLog = (d: DeployDevice): string => join(d.sshd.dir, 'restarts.log');

function withCommands(d: DeployDevice, health = 'test -s "$1"'): DeployTarget {
  return {
    ...d.target,
    restartCommand: `echo restarted >> ${quote(restartLog(d))}`,
    healthCommand: health,
  };
}

function restarts(d: DeployDevice): number {
  return existsSync(restartLog(d)) ? readFileSync(restartLog(d), 'utf8').split('\n').length - 1 : 0;
}

function viaAnsible(x: DeployArtifact, targets: DeployTarget[], options = {}) {
  return engine.run(planDeploy(x, targets, options), inventoryFromTargets(targets), { forks: fleetSize });
}

/** A record without what differs between two devices. */
function comparable(r: DeviceRelease | undefined) {
  if (r === undefined) return undefined;
  const { deviceId: _i, deviceName: _n, deployRoot: _r, deploymentId: _d, updatedAt: _u, ...rest } = r;
  return rest;
}

function comparableDrift(r: DriftResult | undefined) {
  if (r === undefined) return undefined;
  const { deviceId: _i, deviceName: _n, checkedAt: _c, ...rest } = r as DriftResult & { checkedAt?: string };
  // Each deployment's own id and time are in its manifest.
  const text = JSON.stringify(rest)
    .replaceAll(r.deviceName, 'DEVICE')
    .replace(/"deployedAt":"[^"]*"/g, '"deployedAt":""')
    .replace(/"deploymentId":"[^"]*"/g, '"deploymentId":""');
  return JSON.parse(text) as unknown;
}

beforeAll(async () => {
  findAnsiblePlaybook();
  devices = await startDeployDevices(fleetSize);
  runner = DeployRunner.open(db);
  engine = new AnsibleEngine(runner);
  a = cnnArtifact(join(work, 'store'), 31, '20240401-000000');
  b = cnnArtifact(join(work, 'store'), 32, '20240402-000000');
}, 60_000);

afterAll(async () => {
  await stopAllSshd();
});

describe('deploy with --engine ansible', () => {
  it(
    'rolls out to several devices at once: same layout, manifest, records and lock as the built-in engine',
    async () => {
      const report = await viaAnsible(
        a,
        devices.map((d) => withCommands(d)),
      );
      expect(report.deployment.status).toBe('succeeded');
      expect(report.devices.map((d) => d.status)).toEqual(devices.map(() => 'deployed'));
      for (const [i, d] of devices.entries()) {
        const state = remoteState(d.root, 'detector');
        expect(state.current).toBe(`releases/${rel(a)}`);
        expect(state.currentSha256).toBe(a.sha256);
        expect(state.temps).toEqual([]);
        expect(state.manifest).toMatchObject({
          format: 'edgefleet-release/1',
          release: rel(a),
          sha256: a.sha256,
          deploymentId: report.deployment.id,
        });
        // install got the sha256: the next preflight reads it from the cache, as after the built-in.
        const cache = join(d.root, 'detector', 'releases', rel(a), '.sha256-cache');
        expect(readFileSync(cache, 'utf8').split(' ')[0]).toBe(a.sha256);
        expect(existsSync(join(d.root, '.edgefleet-lock'))).toBe(false);
        expect(restarts(d)).toBe(1);
        expect(report.devices[i]).toMatchObject({
          bytesSent: a.sizeBytes,
          releaseBefore: null,
          step: 'done',
        });
        expect(runner.repo.release(d.target.deviceId, 'detector')?.current).toEqual({
          release: rel(a),
          sha256: a.sha256,
          variantId: a.variantId,
          version: a.version,
        });
      }
      expect(runner.repo.deployments()[0]).toMatchObject({ id: report.deployment.id, status: 'succeeded' });
    },
    slow,
  );

  it(
    'changes nothing when run again',
    async () => {
      // Two of the ten: every device runs the same tasks, and each Ansible run costs tens of seconds here.
      const again = devices.slice(0, 2);
      const releaseDir = (d: DeployDevice) => join(d.root, 'detector', 'releases', rel(a));
      const before = again.map((d) => statSync(join(releaseDir(d), 'manifest.json')).mtimeMs);
      const report = await viaAnsible(
        a,
        again.map((d) => withCommands(d)),
      );
      expect(report.deployment.status).toBe('succeeded');
      expect(report.devices.map((d) => [d.status, d.bytesSent])).toEqual(again.map(() => ['unchanged', 0]));
      expect(again.map((d) => statSync(join(releaseDir(d), 'manifest.json')).mtimeMs)).toEqual(before);
      expect(again.map((d) => restarts(d))).toEqual(again.map(() => 1));
      expect(again.map((d) => remoteState(d.root, 'detector').current)).toEqual(
        again.map(() => `releases/${rel(a)}`),
      );
    },
    slow,
  );

  it(
    'switches back when the health check fails, and records the device as rolled back',
    async () => {
      const d = dev(0);
      const healthLog = join(d.sshd.dir, 'health.log');
      const report = await viaAnsible(b, [withCommands(d, `echo x >> ${quote(healthLog)}; exit 3`)], {
        healthAttempts: 2,
        healthIntervalMs: 0,
      });
      expect(report.deployment.status).toBe('failed');
      expect(report.devices[0]).toMatchObject({
        status: 'rolled_back',
        releaseBefore: rel(a),
        releaseAfter: rel(a),
        error: { code: 'HEALTH_CHECK_FAILED' },
      });
      expect(readFileSync(healthLog, 'utf8')).toBe('x\nx\n');
      // The restart after the switch, and again after switching back.
      expect(restarts(d)).toBe(3);
      const state = remoteState(d.root, 'detector');
      expect(state.current).toBe(`releases/${rel(a)}`);
      expect(state.currentSha256).toBe(a.sha256);
      expect(existsSync(join(d.root, '.edgefleet-lock'))).toBe(false);
      expect(runner.repo.release(d.target.deviceId, 'detector')?.current?.release).toBe(rel(a));
    },
    slow,
  );

  it(
    'records the same releases and finds the same drift as the built-in engine',
    async () => {
      const builtin = dev(1);
      const ansible = dev(2);
      const viaBuiltin = await runner.deployArtifact(b, [withCommands(builtin)]);
      expect(viaBuiltin.devices[0]?.status).toBe('deployed');
      const viaAnsibleReport = await viaAnsible(b, [withCommands(ansible)]);
      expect(viaAnsibleReport.devices[0]?.status).toBe('deployed');
      expect(comparable(runner.repo.release(ansible.target.deviceId, 'detector'))).toEqual(
        comparable(runner.repo.release(builtin.target.deviceId, 'detector')),
      );
      const strip = (r: (typeof viaBuiltin.devices)[number] | undefined) => ({
        status: r?.status,
        releaseBefore: r?.releaseBefore,
        releaseAfter: r?.releaseAfter,
        bytesSent: r?.bytesSent,
        facts: { ...r?.facts, availableBytes: null },
      });
      expect(strip(viaAnsibleReport.devices[0])).toEqual(strip(viaBuiltin.devices[0]));

      const clean = await runner.driftCheck([builtin.target, ansible.target]);
      expect(clean.results.map((r) => r.state)).toEqual(['in_sync', 'in_sync']);
      expect(comparableDrift(clean.results[1])).toEqual(comparableDrift(clean.results[0]));
      for (const d of [builtin, ansible]) {
        writeFileSync(join(d.root, 'detector', 'releases', rel(b), 'model.onnx'), 'tampered');
      }
      const drift = await runner.driftCheck([builtin.target, ansible.target]);
      expect(drift.results.map((r) => r.state)).toEqual(['modified', 'modified']);
      expect(comparableDrift(drift.results[1])).toEqual(comparableDrift(drift.results[0]));
    },
    slow,
  );

  it(
    'writes a project that runs elsewhere, and records its results with --import-results',
    async () => {
      const d = dev(3);
      const targets = [withCommands(d)];
      const plan = planDeploy(b, targets);
      const exported = await engine.exportTo(join(work, 'export'), plan, inventoryFromTargets(targets), 2);
      const knownHosts = readFileSync(join(exported.dir, 'known_hosts'), 'utf8');
      expect(knownHosts).toContain(`[127.0.0.1]:${d.sshd.port} ${d.sshd.hostPublicKey}`);
      expect(readFileSync(join(exported.dir, 'ansible.cfg'), 'utf8')).toContain('host_key_checking = True');
      expect(runner.repo.deployment(plan.deploymentId)).toBeUndefined();

      const run = await runPlaybook(findAnsiblePlaybook(), exported.dir, 2);
      const results = join(work, 'results.json');
      writeFileSync(results, run.stdout);
      const report = await engine.importResults(results, (id) => id === d.target.deviceId);
      expect(report.deployment).toMatchObject({ id: plan.deploymentId, status: 'succeeded' });
      expect(report.devices[0]).toMatchObject({ status: 'deployed', releaseAfter: rel(b) });
      expect(runner.repo.release(d.target.deviceId, 'detector')?.current?.release).toBe(rel(b));
      await expect(engine.importResults(results, () => true)).rejects.toMatchObject({
        code: 'ANSIBLE_RESULTS_INVALID',
      });
    },
    slow,
  );
});
