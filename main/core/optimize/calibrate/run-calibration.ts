/**
 * Activation ranges from real ONNX Runtime runs: every tensor to calibrate gets ReduceMin/ReduceMax nodes whose
 * scalar outputs become extra graph outputs (for MinMax that is all that leaves the session; the histogram
 * calibrators also fetch the tensor itself), the model runs once per calibration sample, and a collector folds
 * each sample in before the next is read: memory holds one sample's outputs plus the collectors' state.
 */
import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import type { Calibrator } from '../../../../shared/schemas/optimize';
import { AppError } from '../../../../shared/errors';
import { throwIfCancelled, type ProgressReport } from '../../jobs/job-manager';
import { encodeModel, inferShapes, makeNode, makeValueInfo, type ValueShape } from '../../onnx';
import type { Sample, SampleSource } from '../types';
import { createCollector, type CollectorOptions } from './collectors';
import type { TensorRange } from './thresholds';

export type CalibrationOptions = CollectorOptions & {
  calibrator: Calibrator;
  signal: AbortSignal;
  progress?: (report: ProgressReport) => void;
  /** The progress percents this step spans (default 0 → 100). */
  percentSpan?: [number, number];
  /** Shapes of the model's tensors when the caller has them (else inferred here). */
  shapes?: ReadonlyMap<string, ValueShape>;
};

export type CalibrationResult = {
  ranges: Map<string, TensorRange>;
  /** Tensors that held NaN/±Inf: left out of `ranges` (MinMax) or ranged over their finite values only. */
  nonFinite: string[];
  samples: number;
  tensors: number;
  durationMs: number;
};

const SUFFIX = '__edgefleet_calib';

/**
 * Ranges of `tensors` (float32 activations of `model`) over every sample of `source`.
 * Throws CANCELLED between samples once `signal` is aborted.
 */
export async function calibrateTensors(
  model: ModelProto,
  tensors: readonly string[],
  source: SampleSource,
  opts: CalibrationOptions,
): Promise<CalibrationResult> {
  const started = performance.now();
  throwIfCancelled(opts.signal);
  const graph = model.graph;
  if (!graph) throw new AppError('MODEL_INVALID', 'The model has no graph: export it again.');
  const collector = createCollector(opts.calibrator, opts);
  const { bytes, fetches } = augment(model, tensors, collector.kind, opts.shapes ?? inferShapes(model));

  const initializers = new Set(graph.initializer.map((t) => t.name));
  const inputNames = graph.input.map((v) => v.name).filter((n) => !initializers.has(n));
  const [from, to] = opts.percentSpan ?? [0, 100];
  const report = (done: number) =>
    opts.progress?.({
      phase: 'calibrating',
      percent: from + ((to - from) * done) / Math.max(1, source.count),
      message: `sample ${done}/${source.count}, ${tensors.length} tensors`,
    });

  const session = await ort.InferenceSession.create(bytes, {
    // Every calibrated tensor feeds our ReduceMin/ReduceMax nodes (and, for histograms, is a graph output), so
    // no ORT optimization can fuse it away: full optimization keeps the values (to float rounding) and ran
    // MinMax on PP-OCRv4 rec 2–4× faster than 'disabled' (42 s → 11–21 s for 100 samples).
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  let samples = 0;
  try {
    report(0);
    for await (const sample of source.read()) {
      throwIfCancelled(opts.signal);
      const outputs = await session.run(feedsFor(sample, inputNames), fetches.names);
      for (const [tensor, [minName, maxName]] of fetches.minMax) {
        const min = (outputs[minName]!.data as Float32Array)[0]!;
        const max = (outputs[maxName]!.data as Float32Array)[0]!;
        if (collector.kind === 'minmax') collector.add(tensor, min, max);
        else collector.add(tensor, outputs[tensor]!.data as Float32Array, min, max);
      }
      samples++;
      report(samples);
      throwIfCancelled(opts.signal);
    }
  } finally {
    await session.release();
  }
  if (samples === 0) {
    throw new AppError(
      'CALIBRATION_REQUIRED',
      `The calibration data (${source.description}) gave no samples: give a folder or file with at least one.`,
    );
  }
  const { ranges, nonFinite } = collector.result();
  return { ranges, nonFinite, samples, tensors: tensors.length, durationMs: performance.now() - started };
}

function feedsFor(sample: Sample, inputNames: readonly string[]): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of inputNames) {
    const t = sample[name];
    if (!t) {
      throw new AppError(
        'DATA_SHAPE_MISMATCH',
        `A calibration sample has no value for the model input '${name}' (it has ${Object.keys(sample).join(', ') || 'none'}): ` +
          'give one array per model input.',
      );
    }
    feeds[name] = t;
  }
  return feeds;
}

type Fetches = {
  names: string[];
  /** Tensor → [ReduceMin output, ReduceMax output]. */
  minMax: Map<string, [string, string]>;
};

/** The model with the calibration outputs added, encoded (the caller's model is not touched). */
function augment(
  model: ModelProto,
  tensors: readonly string[],
  kind: 'minmax' | 'values',
  shapes: ReadonlyMap<string, ValueShape>,
): { bytes: Uint8Array; fetches: Fetches } {
  const graph = model.graph!;
  const outputs = [...graph.output];
  const nodes = [...graph.node];
  const existingOutputs = new Set(outputs.map((o) => o.name));
  const fetches: Fetches = { names: [], minMax: new Map() };
  const used = new Set<string>();
  for (const n of graph.node) for (const o of n.output) used.add(o);
  for (const v of graph.input) used.add(v.name);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };

  for (const tensor of tensors) {
    // ReduceMin/ReduceMax run inside ORT (vectorised) for every calibrator: MinMax needs nothing else, the
    // histograms get their range without a pass over the data in JS.
    const minName = fresh(`${tensor}${SUFFIX}_min`);
    const maxName = fresh(`${tensor}${SUFFIX}_max`);
    // No axes and keepdims 0: a scalar over the whole tensor, at every opset (axes became an input in 18).
    nodes.push(makeNode('ReduceMin', [tensor], [minName], { keepdims: 0 }, { name: `${minName}_node` }));
    nodes.push(makeNode('ReduceMax', [tensor], [maxName], { keepdims: 0 }, { name: `${maxName}_node` }));
    outputs.push(makeValueInfo(minName, DT.FLOAT, []), makeValueInfo(maxName, DT.FLOAT, []));
    fetches.minMax.set(tensor, [minName, maxName]);
    fetches.names.push(minName, maxName);
    if (kind === 'values') {
      if (!existingOutputs.has(tensor)) {
        const shape = shapes.get(tensor)?.shape;
        outputs.push(makeValueInfo(tensor, DT.FLOAT, shape ?? undefined));
        existingOutputs.add(tensor);
      }
      fetches.names.push(tensor);
    }
  }
  // Swapped in just for encoding (synchronously), so weights are neither copied nor left changed.
  const savedNodes = graph.node;
  const savedOutputs = graph.output;
  graph.node = nodes;
  graph.output = outputs;
  try {
    return { bytes: encodeModel(model), fetches };
  } finally {
    graph.node = savedNodes;
    graph.output = savedOutputs;
  }
}
