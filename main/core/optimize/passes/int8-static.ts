/**
 * Static INT8 quantization in QDQ format, calibrated on real ONNX Runtime runs:
 * pre-process (ORT basic optimizations, opset → 13 when safe) → plan → calibrate the planned activations →
 * scale/zero point per tensor → QuantizeLinear/DequantizeLinear graph that ORT's CPU provider fuses into
 * QLinearConv, QLinearMatMul, QGemm, QLinearAdd … at load time.
 *
 * Activations: asymmetric uint8 (symmetric int8 with `symmetricActivations`); weights: int8 symmetric, per
 * output channel with `perChannel`; biases: int32 at input scale × weight scale.
 */
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import {
  int8StaticConfigSchema,
  type Int8StaticConfig,
  type PassReport,
} from '../../../../shared/schemas/optimize';
import { AppError } from '../../../../shared/errors';
import { throwIfCancelled } from '../../jobs/job-manager';
import { cloneModelSharingTensorData, producerMap } from '../../onnx';
import { calibrateTensors, type TensorRange } from '../calibrate';
import { preprocessForQdq, type Preprocessed } from '../preprocess';
import { assertNotQuantized, computeScaleZeroPoint, type QuantType } from '../quant';
import type { Pass, PassContext, PassResult } from '../types';
import { planQdq, QUANTIZABLE_OP_TYPES, type QdqPlan } from './int8-static-plan';
import { rewriteQdq, type ActivationParams } from './int8-static-rewrite';

export const int8StaticPass: Pass<Int8StaticConfig> = {
  method: 'int8-static',
  run: runInt8Static,
};

async function runInt8Static(
  model: ModelProto,
  rawConfig: Int8StaticConfig,
  ctx: PassContext,
): Promise<PassResult> {
  const config = int8StaticConfigSchema.parse(rawConfig);
  const prepared = await prepareInt8Static(model, config, ctx, 'planned');
  ctx.progress({ phase: 'quantizing', percent: 92, message: `${prepared.calibration.tensors} tensors` });
  const result = buildInt8Static(prepared, config.exclude);
  ctx.progress({ phase: 'quantizing', percent: 100 });
  return result;
}

/** The model pre-processed and calibrated once; any number of exclude lists can then be built from it. */
export type Int8StaticPrepared = {
  config: Int8StaticConfig;
  pre: Preprocessed;
  ranges: ReadonlyMap<string, TensorRange>;
  calibration: NonNullable<PassReport['calibration']>;
  warnings: string[];
};

/**
 * Pre-processing and calibration. `tensors` = 'planned' calibrates what the configured plan needs; 'all'
 * calibrates every float activation of the pre-processed model, so that every exclude list can be built
 * without another calibration run (the auto search builds hundreds).
 */
export async function prepareInt8Static(
  model: ModelProto,
  requested: Int8StaticConfig,
  ctx: PassContext,
  tensors: 'planned' | 'all',
): Promise<Int8StaticPrepared> {
  let config = requested;
  throwIfCancelled(ctx.signal);
  if (!model.graph) throw new AppError('MODEL_INVALID', 'The model has no graph: export it again.');
  assertNotQuantized(model);
  const calibration = ctx.calibration;
  if (!calibration) {
    throw new AppError(
      'CALIBRATION_REQUIRED',
      'Static INT8 needs calibration data: give --calibration <folder|file.npy>, or --calibration random to try ' +
        'it on random inputs (accuracy is then not meaningful).',
    );
  }

  ctx.progress({
    phase: 'pre-processing',
    percent: 2,
    message: 'folding BatchNorm and constants (ONNX Runtime)',
  });
  const asked = config.perChannel;
  const pre = await preprocessForQdq(model, { scratchDir: ctx.scratchDir, perChannel: asked ?? 'auto' });
  config = { ...config, perChannel: pre.perChannel };
  nameUnnamedNodes(pre.model);
  throwIfCancelled(ctx.signal);

  const plan = planQdq(cloneModelSharingTensorData(pre.model), pre.shapes, { ...config, opset: pre.opset });
  if (Object.keys(plan.converted).length === 0 || plan.activations.size === 0) {
    throw nothingToQuantize(config.exclude.length > 0, plan.skipped.length);
  }
  const toCalibrate = tensors === 'planned' ? plan.toCalibrate : floatActivations(pre);
  const calibrated = await calibrateTensors(pre.model, toCalibrate, calibration, {
    calibrator: config.calibrator,
    percentile: config.percentile,
    asymmetric: !config.symmetricActivations,
    signal: ctx.signal,
    progress: ctx.progress,
    percentSpan: [10, 90],
    shapes: pre.shapes,
  });
  throwIfCancelled(ctx.signal);
  const warnings = [...pre.warnings];
  if (calibration.random) warnings.push('calibrated on random data: accuracy is not meaningful');
  return {
    config,
    pre,
    ranges: calibrated.ranges,
    calibration: {
      calibrator: config.calibrator,
      samples: calibrated.samples,
      tensors: calibrated.tensors,
      dataSha256: calibration.sha256,
      random: calibration.random,
    },
    warnings,
  };
}

/** The QDQ model for one exclude list (op types, node names or tensor names), from a prepared model. */
export function buildInt8Static(prepared: Int8StaticPrepared, exclude: readonly string[]): PassResult {
  const { config, pre } = prepared;
  const working = cloneModelSharingTensorData(pre.model);
  const plan = planQdq(working, pre.shapes, { ...config, exclude: [...exclude], opset: pre.opset });
  if (Object.keys(plan.converted).length === 0 || plan.activations.size === 0) {
    throw nothingToQuantize(exclude.length > 0, plan.skipped.length);
  }
  const activationType: QuantType = config.symmetricActivations ? 'int8' : 'uint8';
  const { params, dropped } = activationParams(
    plan,
    prepared.ranges,
    activationType,
    config.symmetricActivations,
  );
  const producers = new Map<string, string>();
  for (const [tensor, node] of producerMap(pre.model.graph!)) producers.set(tensor, node.opType);
  const rewrite = rewriteQdq(plan, params, producers, {
    activationType,
    symmetricActivations: config.symmetricActivations,
  });

  const warnings = [...prepared.warnings, ...plan.warnings];
  if (dropped.length > 0) {
    warnings.push(
      `${dropped.length} tensor(s) held NaN or infinite values during calibration and stay float: ` +
        `${dropped.slice(0, 5).join(', ')}${dropped.length > 5 ? ', …' : ''}.`,
    );
  }
  if (rewrite.clampedBiasValues > 0) {
    warnings.push(
      `${rewrite.clampedBiasValues} bias value(s) did not fit int32 at input scale × weight scale and were ` +
        'clamped: those channels will be off. Try per-channel weights or exclude the node.',
    );
  }
  const report: Omit<PassReport, 'durationMs'> = {
    method: 'int8-static',
    converted: plan.converted,
    skipped: plan.skipped,
    calibration: prepared.calibration,
    warnings,
  };
  return { model: plan.model, report, quantizedTensors: rewrite.quantizedTensors, preprocessed: pre.model };
}

function nothingToQuantize(withExcludes: boolean, skipped: number): AppError {
  const kinds = QUANTIZABLE_OP_TYPES.join(', ');
  return new AppError(
    'NOTHING_TO_QUANTIZE',
    `Nothing to quantize: the model has no node static INT8 handles (${kinds})` +
      (withExcludes ? ' that is not excluded' : '') +
      ' with float32 inputs of known type. Use fp16 for this model, or change the exclude list.',
    { skipped },
  );
}

/** Exclude lists and reports name nodes: ORT's output can have nameless ones. */
function nameUnnamedNodes(model: ModelProto): void {
  const graph = model.graph!;
  const taken = new Set(graph.node.map((n) => n.name));
  graph.node.forEach((n, i) => {
    if (n.name !== '') return;
    let name = `${n.opType}_${i}`;
    for (let k = 1; taken.has(name); k++) name = `${n.opType}_${i}_${k}`;
    n.name = name;
    taken.add(name);
  });
}

/** Every float32 tensor a node of the pre-processed model produces (graph inputs included). */
function floatActivations(pre: Preprocessed): string[] {
  const graph = pre.model.graph!;
  const inits = new Set(graph.initializer.map((t) => t.name));
  const names = [...graph.input.map((v) => v.name), ...graph.node.flatMap((n) => n.output)];
  return [...new Set(names)].filter(
    (t) => t !== '' && !inits.has(t) && pre.shapes.get(t)?.elemType === DT.FLOAT,
  );
}

/**
 * Scale and zero point of every planned activation: from its calibrated range, its fixed range (Softmax), or
 * the tensor it inherits from (data-movement ops). A tensor without a usable range stays float, and so do
 * the tensors inheriting from it.
 */
function activationParams(
  plan: QdqPlan,
  ranges: ReadonlyMap<string, TensorRange>,
  qType: QuantType,
  symmetric: boolean,
): { params: Map<string, ActivationParams>; dropped: string[] } {
  const memo = new Map<string, ActivationParams | null>();
  const dropped: string[] = [];
  const resolve = (t: string, seen: Set<string>): ActivationParams | undefined => {
    const done = memo.get(t);
    if (done !== undefined) return done ?? undefined;
    const source = plan.activations.get(t);
    if (!source || seen.has(t)) return undefined;
    seen.add(t);
    let p: ActivationParams | undefined;
    if (source.kind === 'inherit') {
      const from = resolve(source.from, seen);
      p = from && { ...from };
    } else {
      const range =
        source.kind === 'fixed' ? source.range : ranges.get(source.kind === 'range-of' ? source.tensor : t);
      if (range) p = { ...computeScaleZeroPoint(range.min, range.max, qType, { symmetric }), root: t };
      else dropped.push(t);
    }
    memo.set(t, p ?? null);
    return p;
  };
  const params = new Map<string, ActivationParams>();
  for (const t of plan.activations.keys()) {
    const p = resolve(t, new Set());
    if (p) params.set(t, p);
  }
  return { params, dropped };
}
