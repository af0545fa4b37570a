import { hostname } from 'node:os';
import { AppError, type AppErrorData } from '../../../../shared/errors';
import {
  failedDeviceStatuses,
  okDeviceStatuses,
  type DeploymentStatus,
} from '../../../../shared/schemas/deploy';
import type { DeployRepository } from '../deploy-repository';
import { DbRecorder } from '../tracking';
import type { AnsibleDeploymentInfo } from './playbook';
import type { AnsibleResults } from './results';

/** The deployments row of an Ansible run, before its results are known (a local run creates it first). */
export function createAnsibleDeployment(
  repo: DeployRepository,
  info: AnsibleDeploymentInfo,
  options: { exclusive: boolean; runnerPid: number },
): void {
  repo.createDeployment(
    {
      id: info.deploymentId,
      kind: 'deploy',
      modelName: info.modelName,
      variantId: info.variantId,
      version: info.version,
      release: info.release,
      sha256: info.sha256,
      sizeBytes: info.sizeBytes,
      requestedBy: info.deployedBy,
      createdAt: info.createdAt,
      options: { ...info.options, engine: 'ansible', forks: info.forks },
      targets: info.devices.map((d) => ({
        deviceId: d.deviceId,
        deviceName: d.deviceName,
        where: d.where,
        deployRoot: d.deployRoot,
      })),
      runnerPid: options.runnerPid,
      runnerHost: hostname(),
    },
    info.devices.map((d) => ({ deviceId: d.deviceId, deviceName: d.deviceName, bytesTotal: info.sizeBytes })),
    { exclusive: options.exclusive },
  );
}

/**
 * Writes an Ansible run's results as the built-in engine writes its own: the device rows, and each release
 * change through the same DbRecorder, so `status`, `history` and `drift` cannot tell the engines apart.
 */
export function recordAnsibleResults(repo: DeployRepository, results: AnsibleResults): DeploymentStatus {
  const { info } = results;
  const recorder = new DbRecorder(
    repo,
    info.deploymentId,
    'deploy',
    info.modelName,
    new Map(info.devices.map((d) => [d.deviceId, { deviceName: d.deviceName, deployRoot: d.deployRoot }])),
  );
  for (const { outcome, changes } of results.devices) {
    for (const { found, change } of changes) {
      if (found) recorder.releaseFound(outcome.deviceId, change);
      else recorder.releaseChanged(outcome.deviceId, change);
    }
    recorder.finished(outcome);
  }
  const outcomes = results.devices.map((d) => d.outcome);
  const stopped = outcomes.some((o) => o.status === 'skipped');
  const status: DeploymentStatus = stopped
    ? 'stopped'
    : outcomes.every((o) => okDeviceStatuses.has(o.status))
      ? 'succeeded'
      : 'failed';
  let error: AppErrorData | null = null;
  if (stopped) {
    const failed = outcomes.filter((o) => failedDeviceStatuses.has(o.status) || o.status === 'failed').length;
    error = new AppError(
      'DEPLOY_STOPPED',
      `The rollout stopped: ${failed} device(s) failed before the rest started (canary or failure budget).`,
    ).toData();
  }
  const finishedAt = outcomes.reduce<string>(
    (latest, o) => (o.finishedAt !== null && o.finishedAt > latest ? o.finishedAt : latest),
    info.createdAt,
  );
  repo.finishDeployment(info.deploymentId, status, error, finishedAt);
  return status;
}
