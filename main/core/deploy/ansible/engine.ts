import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, toAppError } from '../../../../shared/errors';
import type { DeploymentReport } from '../../../../shared/schemas/deploy';
import type { DeployRunner } from '../deploy-runner';
import { claimDevices } from '../device-mutex';
import type { DeployPlan } from '../plan';
import { heartbeatEveryMs } from '../tracking';
import { writeAnsibleBundle } from './bundle';
import { bundleFiles, deploymentInfo, type InventoryFile } from './playbook';
import { createAnsibleDeployment, recordAnsibleResults } from './record';
import { parseAnsibleResults } from './results';
import { findAnsiblePlaybook, runPlaybook } from './run-playbook';

/**
 * `--engine ansible`: the same plan, handed to Ansible. `run` writes the project to a private temp
 * directory, runs ansible-playbook with the JSON callback and records its results; `exportTo` only writes
 * the project (for AWX or another machine); `importResults` records a run done elsewhere. Name-free like
 * DeployRunner (whose repository and busy check it uses): DeployService resolves names and writes the
 * inventory from the fleet; tests and benchmarks give targets.
 */

export type AnsibleRunControl = {
  forks?: number;
  signal?: AbortSignal;
};

export type AnsibleExport = { dir: string; files: string[]; deploymentId: string };

export function forksFor(plan: DeployPlan, forks: number | undefined): number {
  const n = forks ?? plan.options.concurrency;
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new AppError('USAGE', `--forks: expected a whole number from 1 to 1000, got ${n}.`);
  }
  return n;
}

export class AnsibleEngine {
  constructor(private readonly runner: DeployRunner) {}

  async exportTo(
    dir: string,
    plan: DeployPlan,
    inventory: InventoryFile,
    forks?: number,
  ): Promise<AnsibleExport> {
    const n = forksFor(plan, forks);
    const written = await writeAnsibleBundle(dir, plan, inventory, n);
    return {
      dir: written,
      deploymentId: plan.deploymentId,
      files: [
        inventory.fileName,
        bundleFiles.knownHosts,
        bundleFiles.playbook,
        bundleFiles.tasks,
        bundleFiles.vars,
        bundleFiles.config,
        bundleFiles.model,
        bundleFiles.readme,
      ],
    };
  }

  async run(
    plan: DeployPlan,
    inventory: InventoryFile,
    control: AnsibleRunControl = {},
  ): Promise<DeploymentReport> {
    const playbook = findAnsiblePlaybook();
    const forks = forksFor(plan, control.forks);
    const info = deploymentInfo(plan, forks);
    const repo = this.runner.repo;
    this.runner.assertDevicesFree(plan.devices);
    const releaseDevices = claimDevices(
      plan.devices.map((d) => ({
        deviceId: d.deviceId,
        deviceName: d.deviceName,
        deploymentId: plan.deploymentId,
        modelName: plan.artifact.modelName,
        startedAt: plan.createdAt,
      })),
    );
    const work = await mkdtemp(join(tmpdir(), 'edgefleet-ansible-'));
    let created = false;
    try {
      const dir = await writeAnsibleBundle(join(work, 'project'), plan, inventory, forks);
      createAnsibleDeployment(repo, info, { exclusive: true, runnerPid: process.pid });
      created = true;
      const heartbeat = setInterval(
        () => repo.heartbeat(plan.deploymentId, new Date().toISOString()),
        heartbeatEveryMs,
      );
      heartbeat.unref();
      try {
        const result = await runPlaybook(playbook, dir, forks, control.signal);
        let parsed;
        try {
          parsed = parseAnsibleResults(result.stdout);
        } catch (err) {
          const e = toAppError(err);
          const why = result.stderr.trim().split('\n').slice(-5).join(' ').slice(-600);
          throw new AppError(
            e.code,
            `ansible-playbook ${result.signal === null ? `exited with ${result.code}` : `was stopped by ${result.signal}`} without results EdgeFleet can read${why === '' ? '' : ` (${why})`}. ${e.message}`,
          );
        }
        if (parsed.info.deploymentId !== plan.deploymentId) {
          throw new AppError(
            'ANSIBLE_RESULTS_INVALID',
            `The Ansible run reported deployment ${parsed.info.deploymentId}, not ${plan.deploymentId}.`,
          );
        }
        recordAnsibleResults(repo, parsed);
      } finally {
        clearInterval(heartbeat);
      }
      return repo.report(plan.deploymentId);
    } catch (err) {
      if (created) failUnfinished(this.runner, plan, toAppError(err));
      throw err;
    } finally {
      releaseDevices();
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Records the results of a run done elsewhere. Every device must be one this EdgeFleet knows (by id), and
   * the deployment must not be recorded yet: nothing is written otherwise.
   */
  async importResults(file: string, knownDevice: (deviceId: string) => boolean): Promise<DeploymentReport> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new AppError('FILE_NOT_FOUND', `Cannot read ${file}: ${(err as Error).message}`);
    }
    const results = parseAnsibleResults(text);
    const repo = this.runner.repo;
    if (repo.deployment(results.info.deploymentId) !== undefined) {
      throw new AppError(
        'ANSIBLE_RESULTS_INVALID',
        `Deployment ${results.info.deploymentId} is already recorded (edgefleet history ${results.info.deploymentId}). Nothing was recorded again.`,
      );
    }
    const unknown = results.info.devices.filter((d) => !knownDevice(d.deviceId));
    if (unknown.length > 0) {
      throw new AppError(
        'ANSIBLE_RESULTS_INVALID',
        `The results name device(s) this EdgeFleet does not have: ${unknown.map((d) => `${d.deviceName} (${d.deviceId})`).join(', ')}. Import them on the EdgeFleet that wrote the playbook. Nothing was recorded.`,
      );
    }
    createAnsibleDeployment(repo, results.info, { exclusive: false, runnerPid: process.pid });
    recordAnsibleResults(repo, results);
    return repo.report(results.info.deploymentId);
  }
}

/** The run failed without results: its devices and the deployment are closed as failed, never left running. */
function failUnfinished(runner: DeployRunner, plan: DeployPlan, error: AppError): void {
  const repo = runner.repo;
  const now = new Date().toISOString();
  for (const d of repo.deviceResults(plan.deploymentId)) {
    if (d.status !== 'pending' && d.status !== 'running') continue;
    repo.updateDevice(plan.deploymentId, {
      ...d,
      status: 'failed',
      finishedAt: now,
      error,
      facts: d.facts,
    });
  }
  repo.finishDeployment(plan.deploymentId, 'failed', error.toData(), now);
}
