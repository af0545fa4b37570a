import type { BenchRunParams } from '../../shared/contract';
import type { BenchReport, BenchResult, StopRule } from '../../shared/schemas/bench';
import type { RunSettings } from '../core/bench';
import type { ProgressReport } from '../core/jobs/job-manager';
import type { Services } from '../core/services';
import type { Handlers } from './dispatcher';

type BenchMethods =
  'bench.run' | 'bench.results' | 'profiles.list' | 'profiles.get' | 'profiles.import' | 'profiles.remove';

/** The UI's stop rule: a fixed count, or a minimum duration (at least 3 runs, as the CLI's --duration). */
export function stopRuleOf(params: Pick<BenchRunParams, 'iterations' | 'durationS'>): StopRule | undefined {
  if (params.iterations !== undefined) return { kind: 'iterations', count: params.iterations };
  if (params.durationS !== undefined)
    return { kind: 'duration', ms: params.durationS * 1000, minIterations: 3 };
  return undefined;
}

/** Reports of one step mapped into [from, to] of the whole job, with the step's phase and message kept. */
function slice(progress: (r: ProgressReport) => void, from: number, to: number) {
  return (r: ProgressReport) =>
    progress({
      ...r,
      percent: r.percent === null ? from : Math.round(from + ((to - from) * r.percent) / 100),
    });
}

export function createBenchHandlers(services: Services): Pick<Handlers, BenchMethods> {
  const { bench, jobs, files } = services;
  return {
    'bench.run': (params) => {
      // Models and devices are resolved now, so a typo fails the call itself instead of a job.
      for (const ref of params.models) services.models.get(ref);
      const devices = (params.devices ?? []).map((name) => bench.resolveDevice(name));
      const stop = stopRuleOf(params);
      const local = params.local ?? true;
      const estimates = params.profiles === 'all' || (params.profiles?.length ?? 0) > 0;
      const { jobId } = jobs.start('bench.run', async ({ signal, progress }) => {
        const settings = (onProgress: (r: ProgressReport) => void): RunSettings => ({
          dims: {
            ...(params.dims ? { dims: params.dims } : {}),
            ...(params.shapes ? { shapes: params.shapes } : {}),
          },
          stop,
          threads: params.threads,
          signal,
          onProgress,
        });
        // Devices one model at a time, then this machine and the profiles in one run of the service.
        const deviceSteps = devices.length * params.models.length;
        const steps = deviceSteps + (local || estimates ? 1 : 0);
        const share = (i: number) => Math.round((100 * i) / steps);
        const results: BenchResult[] = [];
        let step = 0;
        for (const device of devices) {
          for (const model of params.models) {
            results.push(
              await bench.runOnDevice(model, device, settings(slice(progress, share(step), share(step + 1)))),
            );
            step++;
          }
        }
        let report: BenchReport = { results: [], estimatorError: { rows: [], medianAbsErrorPct: null } };
        if (local || estimates) {
          report = await bench.run(params.models, {
            ...settings(slice(progress, share(step), 100)),
            local,
            profiles: params.profiles,
          });
        }
        progress({ phase: 'done', percent: 100 });
        return { results: [...results, ...report.results], estimatorError: report.estimatorError };
      });
      return { jobId };
    },
    'bench.results': ({ model, target, limit }) => bench.list({ model, target, limit }),
    'profiles.list': () => bench.listProfiles(),
    'profiles.get': ({ id }) => bench.profile(id),
    'profiles.import': async ({ fileRef }) => {
      const file = files.resolve(fileRef);
      try {
        // The staged path means nothing to the user (and is deleted next): report the file's own name.
        return { ...(await bench.importProfiles(file.path)), file: file.fileName };
      } finally {
        await files.releaseIfStaged(fileRef);
      }
    },
    'profiles.remove': ({ id }) => bench.removeProfile(id),
  };
}
