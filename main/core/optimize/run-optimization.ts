import { mkdir } from 'node:fs/promises';
import type { DataSpec, FidelityReport, MethodOptions, PassReport } from '../../../shared/schemas/optimize';
import { AppError } from '../../../shared/errors';
import type { ProgressReport } from '../jobs/job-manager';
import { throwIfCancelled } from '../jobs/job-manager';
import { decodeModel, encodeModel } from '../onnx';
import { openSampleSource, splitForEvaluation } from './data';
import { evaluateFidelity } from './fidelity';
import { passes } from './passes';
import type { Pass, SampleSource } from './types';
import type { ModelProto } from 'onnx-buf';
import type { AutoTarget } from './search/estimated-latency';
import { runAutoSearch, type AutoOutcome } from './search/run-auto';

export type OptimizationJob = {
  parentBytes: Uint8Array;
  options: MethodOptions;
  calibration?: DataSpec;
  evaluation?: DataSpec;
  scratchDir: string;
  /** Distillation from a library model (`--student model:<ref>`): its bytes, read on the main thread. */
  studentBytes?: Uint8Array;
  /** `--method auto --target PROFILE`: what the estimator needs (resolved on the main thread). */
  target?: AutoTarget;
};

export type DataUsed = { spec: DataSpec; sha256: string; samples: number } | null;

export type OptimizationOutcome = SingleOutcome | AutoRunOutcome;

/** `--method auto`: the whole search and the variants worth storing (recommended or closest first). */
export type AutoRunOutcome = AutoOutcome & { kind: 'auto'; calibration: DataUsed; evaluation: DataUsed };

type SingleOutcome = {
  kind: 'single';
  bytes: Uint8Array;
  pass: PassReport;
  fidelity: FidelityReport;
  calibration: DataUsed;
  evaluation: DataUsed;
};

/** How many random samples evaluate a variant when the user gave no data (fidelity is then only indicative). */
const randomEvalSamples = 16;

/** For callers that run one pass (benchmarks): the outcome of a non-auto method. */
export function expectSingle(outcome: OptimizationOutcome): SingleOutcome {
  if (outcome.kind !== 'single') throw new AppError('INTERNAL', 'expected a single-pass outcome');
  return outcome;
}

export type JobData = {
  /** What calibrates (the calibration data less the held-out share). */
  calibration: SampleSource | undefined;
  evaluation: SampleSource;
  source: FidelityReport['source'];
};

/**
 * Calibration and evaluation samples of a job: --eval when given, else the last 20 % of the calibration data
 * held out, else the calibration data itself, else random inputs (said in the report).
 */
async function openJobData(
  job: Pick<OptimizationJob, 'calibration' | 'evaluation'>,
  parent: ModelProto,
): Promise<JobData> {
  const calibrationAll = job.calibration ? await openSampleSource(job.calibration, parent) : undefined;
  if (job.evaluation) {
    const evaluation = await openSampleSource(job.evaluation, parent);
    return { calibration: calibrationAll, evaluation, source: evaluation.random ? 'random' : 'eval' };
  }
  if (calibrationAll && !calibrationAll.random && calibrationAll.count >= 2) {
    const split = splitForEvaluation(calibrationAll);
    return {
      calibration: split.calibration,
      evaluation: split.evaluation,
      source: split.heldOut ? 'held-out' : 'calibration',
    };
  }
  if (calibrationAll) {
    return {
      calibration: calibrationAll,
      evaluation: calibrationAll,
      source: calibrationAll.random ? 'random' : 'calibration',
    };
  }
  const evaluation = await openSampleSource({ kind: 'random', count: randomEvalSamples, seed: 7 }, parent);
  return { calibration: undefined, evaluation, source: 'random' };
}

/**
 * One optimization, start to end, in whatever thread calls it (the worker in the app): data → pass → fidelity.
 * It writes nothing but scratch files; the caller stores the variant.
 */
export async function runOptimization(
  job: OptimizationJob,
  ctx: { signal: AbortSignal; progress: (r: ProgressReport) => void },
): Promise<OptimizationOutcome> {
  const started = performance.now();
  await mkdir(job.scratchDir, { recursive: true });
  const parent = decodeModel(job.parentBytes);
  const { method, config } = job.options;

  if (method === 'int8-static' && !job.calibration) {
    throw new AppError(
      'CALIBRATION_REQUIRED',
      'Static INT8 needs calibration data: give --calibration <folder|file.npy>, or --calibration random to try it ' +
        'on random inputs (accuracy is then not meaningful).',
    );
  }

  ctx.progress({ phase: 'checking data', percent: 1 });
  const data = await openJobData(job, parent);
  const { calibration, evaluation, source } = data;
  const used = (spec: DataSpec | undefined, s: SampleSource | undefined): DataUsed =>
    spec && s ? { spec, sha256: s.sha256, samples: s.count } : null;
  const dataUsed = {
    calibration: used(job.calibration, calibration),
    evaluation: used(job.evaluation ?? job.calibration, evaluation),
  };
  throwIfCancelled(ctx.signal);

  if (method === 'auto') {
    const auto = await runAutoSearch(
      {
        parent,
        parentBytes: job.parentBytes,
        config,
        data,
        scratchDir: job.scratchDir,
        ...(job.target ? { target: job.target } : {}),
      },
      ctx,
    );
    return { kind: 'auto', ...auto, ...dataUsed };
  }
  const pass = passes[method] as Pass<typeof config>;
  const result = await pass.run(parent, config, {
    signal: ctx.signal,
    scratchDir: job.scratchDir,
    calibration,
    ...(source === 'held-out' || source === 'eval' ? { heldOut: evaluation } : {}),
    ...(job.studentBytes ? { student: decodeModel(job.studentBytes) } : {}),
    progress: (r) => ctx.progress({ ...r, percent: r.percent === null ? null : 2 + r.percent * 0.68 }),
  });
  // A cancelled training hands back its best epoch: that one is measured and stored, marked as cancelled.
  const keepsCancelled = result.report.training?.cancelled !== undefined;
  if (!keepsCancelled) throwIfCancelled(ctx.signal);
  const fidelitySignal = keepsCancelled ? new AbortController().signal : ctx.signal;
  const bytes = encodeModel(result.model);
  const passReport: PassReport = { ...result.report, durationMs: performance.now() - started };

  const fidelity = await evaluateFidelity({
    parent: job.parentBytes,
    variant: bytes,
    comparisonParent: result.preprocessed ? encodeModel(result.preprocessed) : undefined,
    quantizedTensors: result.quantizedTensors,
    samples: evaluation,
    source,
    signal: fidelitySignal,
    progress: (r) => ctx.progress({ ...r, percent: r.percent === null ? null : 70 + r.percent * 0.29 }),
  });
  return { kind: 'single', bytes, pass: passReport, fidelity, ...dataUsed };
}
