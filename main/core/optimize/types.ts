import type { Tensor } from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import type { PassReport } from '../../../shared/schemas/optimize';
import type { ProgressReport } from '../jobs/job-manager';

/** One model run's inputs, by graph input name. */
export type Sample = Record<string, Tensor>;

/**
 * A stream of samples checked against the model's inputs before any work. Large sets are read lazily, so memory
 * stays bounded by one sample (or one batch) at a time.
 */
export type SampleSource = {
  /** For reports and errors: "12 .npy files in /data/calib". */
  description: string;
  /** Number of samples. */
  count: number;
  /** sha256 over the sample data (for random data: over the seed and shapes), recorded in the recipe. */
  sha256: string;
  random: boolean;
  /** Class labels by sample index, when the data carried labels; else null. */
  labels: (number | null)[] | null;
  /** Samples [start, end) in a stable order. */
  read(range?: { start: number; end: number }): AsyncIterable<Sample>;
};

export type PassContext = {
  signal: AbortSignal;
  progress(report: ProgressReport): void;
  /** Calibration samples (static quantization only). */
  calibration?: SampleSource;
  /** Samples not calibrated or trained on (held out, or --eval), for passes that track fidelity as they train. */
  heldOut?: SampleSource;
  /** Distillation's student when the config names a library model (`model:<ref>`). */
  student?: ModelProto;
  /** Where a pass may write scratch files (ORT's optimized model, …); removed after the run. */
  scratchDir: string;
};

/** What a pass learned about tensors it quantized, so fidelity can compare them layer by layer. */
export type QuantizedTensor = {
  /** Float tensor name in the input model. */
  name: string;
  /** Tensor in the output model that carries its (de)quantized value, e.g. `<name>_DequantizeLinear_Output`. */
  dequantizedName: string;
  producer: string;
};

export type PassResult = {
  model: ModelProto;
  report: Omit<PassReport, 'durationMs'>;
  quantizedTensors: QuantizedTensor[];
  /**
   * The model the pass actually rewrote, when it pre-processed the input (BatchNorm folded, constants folded):
   * per-tensor comparisons use it, since the original's tensor names may be gone.
   */
  preprocessed?: ModelProto;
};

/** An optimization pass (after Olive): a config schema, a model in, a NEW model out, and a report. */
export type Pass<Config> = {
  method: PassReport['method'];
  run(model: ModelProto, config: Config, ctx: PassContext): Promise<PassResult>;
};
