import { existsSync } from 'node:fs';
import type { ModelProto } from 'onnx-buf';
import { AppError } from '../../../shared/errors';
import type { DistillConfig, QatConfig } from '../../../shared/schemas/optimize';
import { throwIfCancelled } from '../jobs/job-manager';
import { readModelFile } from '../onnx';
import { cloneModelSharingTensorData } from '../onnx/clone-model';
import type { Pass } from '../optimize/types';
import {
  fewSamplesWarning,
  readAllSamples,
  readHeldOut,
  requireTrainingData,
  trainingReport,
} from './training-data';
import { sliceWidth } from './width-slice';

/**
 * The student the config names: the teacher itself, a narrower copy of it, a model of the library
 * (`model:<id or name>`, read by the service and handed over as `library`), or a model file.
 */
async function resolveStudent(
  teacher: ModelProto,
  student: string,
  library?: ModelProto,
): Promise<{ model: ModelProto; note: string | null }> {
  if (student === 'self') return { model: cloneModelSharingTensorData(teacher), note: null };
  if (student.startsWith('model:')) {
    if (!library) {
      throw new AppError('NOT_FOUND', `--student ${student}: no such model in the library.`);
    }
    return { model: library, note: null };
  }
  const width = /^width:(.+)$/.exec(student);
  if (width) {
    const factor = Number(width[1]);
    if (!(factor > 0 && factor <= 1)) {
      throw new AppError(
        'USAGE',
        `--student ${student}: the width factor must be a number in (0, 1], e.g. width:0.25.`,
      );
    }
    const sliced = sliceWidth(teacher, factor);
    const list = sliced.sliced.map((s) => `${s.node} ${s.from}→${s.to}`).join(', ');
    return { model: sliced.model, note: `Narrowed ${sliced.sliced.length} layer(s): ${list}.` };
  }
  if (!existsSync(student)) {
    throw new AppError(
      'FILE_NOT_FOUND',
      `--student ${student}: no such file. Give a .onnx path, width:F (e.g. width:0.25) or self.`,
    );
  }
  const file = await readModelFile(student);
  if (file.hasExternalData) {
    throw new AppError(
      'MODEL_UNSUPPORTED',
      `The student ${student} keeps weights in external files: save it as one .onnx.`,
    );
  }
  return { model: file.model, note: null };
}

export const distillPass: Pass<DistillConfig> = {
  method: 'distill',
  async run(model, config, ctx) {
    const data = requireTrainingData(ctx, 'Distillation needs training data');
    // The engine (tfjs, ~0.5 s to load) is imported only when a distillation actually runs.
    const [{ distill }, { checkTrainable }] = await Promise.all([
      import('./distill'),
      import('./onnx-graph'),
    ]);
    const { model: student, note } = await resolveStudent(model, config.student, ctx.student);
    // Refuse an unsupported student before any data is read or the teacher runs.
    checkTrainable(student);
    const warnings: string[] = [];
    if (note) warnings.push(note);
    if (data.random)
      warnings.push('The training data is random: the student only learns the teacher on noise.');
    warnings.push(...fewSamplesWarning(data));
    const samples = await readAllSamples(data, ctx.signal);
    const result = await distill({
      teacher: model,
      student,
      samples,
      heldOut: await readHeldOut(ctx),
      labels: data.labels,
      settings: config,
      signal: ctx.signal,
      progress: ctx.progress,
    });
    return {
      model: result.model,
      quantizedTensors: [],
      report: {
        method: 'distill',
        converted: { 'trained parameters': result.studentParameters },
        skipped: [],
        calibration: null,
        warnings: [...warnings, ...result.warnings],
        training: trainingReport(config.student, result, data, samples.length),
      },
    };
  },
};

/**
 * Quantization-aware fine-tuning: the static INT8 pass plans and calibrates the QDQ model; its weights then
 * train behind fake-quant ops (straight-through rounding) with the FP32 model as teacher, and are quantized
 * back into the same QDQ graph.
 */
export const qatPass: Pass<QatConfig> = {
  method: 'qat',
  async run(model, config, ctx) {
    const data = requireTrainingData(ctx, 'QAT needs data (for calibration and fine-tuning)');
    const { int8StaticPass } = await import('../optimize/passes/int8-static');
    const [{ distill }, { toQatGraph, fromQatGraph }] = await Promise.all([
      import('./distill'),
      import('./qat'),
    ]);
    const { calibrator, percentile, perChannel, symmetricActivations, exclude } = config;
    const ptq = await int8StaticPass.run(
      model,
      { calibrator, percentile, perChannel, symmetricActivations, exclude },
      {
        ...ctx,
        progress: (r) => ctx.progress({ ...r, percent: r.percent === null ? null : r.percent * 0.2 }),
      },
    );
    throwIfCancelled(ctx.signal);
    const training = toQatGraph(ptq.model);
    const samples = await readAllSamples(data, ctx.signal);
    const result = await distill({
      teacher: model,
      student: training.model,
      samples,
      heldOut: await readHeldOut(ctx),
      deployable: (trained) => fromQatGraph(ptq.model, trained, training.weights, training.scales),
      labels: data.labels,
      settings: config,
      signal: ctx.signal,
      progress: (r) => ctx.progress({ ...r, percent: r.percent === null ? null : 20 + r.percent * 0.8 }),
    });
    const warnings = [...ptq.report.warnings, ...result.warnings, ...fewSamplesWarning(data)];
    return {
      model: fromQatGraph(ptq.model, result.model, training.weights, training.scales),
      quantizedTensors: ptq.quantizedTensors,
      preprocessed: ptq.preprocessed,
      report: {
        ...ptq.report,
        method: 'qat',
        warnings,
        training: trainingReport('qdq', result, data, samples.length),
      },
    };
  },
};
