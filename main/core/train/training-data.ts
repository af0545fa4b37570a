/**
 * What every training pass (distill, qat, fine-tune after pruning) does with the job's data: require it, read it
 * into memory (the trainer shuffles across epochs), and record it in the variant's training report.
 */
import { AppError } from '../../../shared/errors';
import { FEW_TRAINING_SAMPLES, type TrainingReport } from '../../../shared/schemas/optimize';
import { throwIfCancelled } from '../jobs/job-manager';
import type { PassContext, Sample, SampleSource } from '../optimize/types';
import type { DistillResult } from './distill';

/** Below this many samples a student mostly memorises: the report warns with the count. */
const FEW_SAMPLES = FEW_TRAINING_SAMPLES;

/** The job's data, or CALIBRATION_REQUIRED saying what `needs` it. */
export function requireTrainingData(ctx: PassContext, needs: string): SampleSource {
  if (!ctx.calibration) {
    throw new AppError(
      'CALIBRATION_REQUIRED',
      `${needs}: give --data <folder|file.npy|image folder> (labels optional).`,
    );
  }
  return ctx.calibration;
}

export async function readAllSamples(data: SampleSource, signal: AbortSignal): Promise<Sample[]> {
  const samples: Sample[] = [];
  for await (const s of data.read()) {
    samples.push(s);
    if (samples.length % 256 === 0) throwIfCancelled(signal);
  }
  return samples;
}

/** Up to `max` samples the trainer scores each epoch on: the job's held-out or evaluation data, if any. */
export async function readHeldOut(ctx: PassContext, max = 64): Promise<Sample[]> {
  if (!ctx.heldOut) return [];
  const samples: Sample[] = [];
  for await (const s of ctx.heldOut.read({ start: 0, end: Math.min(max, ctx.heldOut.count) }))
    samples.push(s);
  return samples;
}

export function fewSamplesWarning(data: SampleSource): string[] {
  return data.count < FEW_SAMPLES
    ? [`Only ${data.count} training sample(s): the student may overfit; ${FEW_SAMPLES}+ are advised.`]
    : [];
}

export function trainingReport(
  student: string,
  result: DistillResult,
  data: SampleSource,
  samples: number,
): TrainingReport {
  return {
    student,
    studentParameters: result.studentParameters,
    teacherParameters: result.teacherParameters,
    samples,
    dataSha256: data.sha256,
    labelled: data.labels !== null,
    epochs: result.epochsCompleted,
    lossCurve: result.lossCurve,
    fidelityCurve: result.fidelityCurve,
    ...(result.fidelityBefore === null ? {} : { fidelityBefore: result.fidelityBefore }),
    ...(result.keptEpoch === null ? {} : { keptEpoch: result.keptEpoch }),
    ...(result.keptUpdate === null
      ? {}
      : { keptUpdate: result.keptUpdate, keptCosine: result.keptCosine ?? undefined }),
    samplesPerSecond: result.samplesPerSecond,
    ...(result.cancelled ? { cancelled: result.cancelled } : {}),
  };
}
