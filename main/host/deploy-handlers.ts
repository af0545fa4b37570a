import type { DeployProgress } from '../../shared/schemas/deploy';
import { FleetDeploy } from '../core/deploy/fleet-deploy';
import { RolloutProgress } from '../core/deploy/rollout-progress';
import type { ProgressReport } from '../core/jobs/job-manager';
import type { Services } from '../core/services';
import type { Handlers } from './dispatcher';

type DeployMethods =
  | 'deploy.preview'
  | 'deploy.run'
  | 'deploy.status'
  | 'deploy.history'
  | 'deploy.report'
  | 'deploy.drift'
  | 'deploy.rollback';

/**
 * One job progress event per device progress event, keyed by device: the job manager throttles each key on
 * its own, so every device row stays live however many devices report at once.
 */
export function deployProgress(progress: (r: ProgressReport) => void): (p: DeployProgress) => void {
  const overall = new RolloutProgress();
  return (p) =>
    progress({
      phase: p.step,
      percent: overall.update(p),
      message: `${p.deviceName}: ${p.step}`,
      detail: { key: p.deviceId, ...p },
    });
}

export function createDeployHandlers(services: Services): Pick<Handlers, DeployMethods> {
  const { jobs } = services;
  const fleetDeploy = new FleetDeploy(services);
  return {
    'deploy.preview': ({ model, targets, options }) => fleetDeploy.preview(model, targets, options),
    'deploy.run': ({ model, targets, options }) => {
      // Resolved and planned now: an unknown model or device, or a bad option, fails the call itself.
      const prepared = fleetDeploy.prepare(model, targets, options);
      services.deploy.assertDevicesFree(prepared.targets);
      const { jobId } = jobs.start('deploy.run', ({ signal, progress }) =>
        fleetDeploy.run(prepared, options, { signal, onProgress: deployProgress(progress) }),
      );
      return { jobId };
    },
    'deploy.status': ({ device }) => fleetDeploy.status(device),
    'deploy.history': ({ limit, device }) =>
      fleetDeploy.history({
        ...(limit === undefined ? {} : { limit }),
        ...(device === undefined ? {} : { device }),
      }),
    'deploy.report': ({ id }) => services.deploy.report(id),
    'deploy.drift': ({ targets, reconcile }) => {
      services.fleet.resolve(targets);
      const { jobId } = jobs.start('deploy.drift', async ({ signal, progress }) => {
        progress({ phase: 'drift', percent: null, message: 'Reading the devices' });
        const report = await fleetDeploy.drift(targets, { signal, reconcile: reconcile === true });
        progress({ phase: 'done', percent: 100 });
        return report;
      });
      return { jobId };
    },
    'deploy.rollback': ({ targets, model, toRelease, options }) => {
      const prepared = fleetDeploy.prepareRollback(
        targets,
        {
          ...(model === undefined ? {} : { model }),
          ...(toRelease === undefined ? {} : { toRelease }),
        },
        options,
      );
      services.deploy.assertDevicesFree(prepared.targets);
      const { jobId } = jobs.start('deploy.rollback', ({ signal, progress }) =>
        fleetDeploy.rollback(prepared, options, { signal, onProgress: deployProgress(progress) }),
      );
      return { jobId };
    },
  };
}
