import type { DeployProgress } from '../../shared/schemas/deploy';
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
function deployProgress(progress: (r: ProgressReport) => void): (p: DeployProgress) => void {
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
  const { jobs, deploy } = services;
  return {
    'deploy.preview': ({ model, targets, options }) => deploy.preview(model, targets, options),
    'deploy.run': ({ model, targets, options }) => {
      // Resolved and planned now: an unknown model or device, or a bad option, fails the call itself.
      const prepared = deploy.prepare(model, targets, options);
      deploy.assertDevicesFree(prepared);
      const { jobId } = jobs.start('deploy.run', ({ signal, progress }) =>
        deploy.run(prepared, { signal, onProgress: deployProgress(progress) }),
      );
      return { jobId };
    },
    'deploy.status': ({ device }) => deploy.status(device),
    'deploy.history': ({ limit, device }) => deploy.history({ limit, device }),
    'deploy.report': ({ id }) => deploy.report(id),
    'deploy.drift': ({ targets, reconcile }) => {
      deploy.resolveDevices(targets);
      const { jobId } = jobs.start('deploy.drift', async ({ signal, progress }) => {
        progress({ phase: 'drift', percent: null, message: 'Reading the devices' });
        const report = await deploy.drift(targets, { signal, reconcile: reconcile === true });
        progress({ phase: 'done', percent: 100 });
        return report;
      });
      return { jobId };
    },
    'deploy.rollback': ({ targets, model, toRelease, options }) => {
      const prepared = deploy.prepareRollback(targets, { model, toRelease }, options);
      deploy.assertDevicesFree(prepared);
      const { jobId } = jobs.start('deploy.rollback', ({ signal, progress }) =>
        deploy.rollback(prepared, { signal, onProgress: deployProgress(progress) }),
      );
      return { jobId };
    },
  };
}
