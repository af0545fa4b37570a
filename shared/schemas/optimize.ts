import { z } from 'zod';
import { pruneChannelsConfigSchema, pruneWeightsConfigSchema, pruningReportSchema } from './prune';

const optimizeMethodSchema = z.enum([
  'int8-dynamic',
  'int8-static',
  'fp16',
  'prune-channels',
  'prune-weights',
  'distill',
  'qat',
]);
export type OptimizeMethod = z.infer<typeof optimizeMethodSchema>;

/** Op types, node names, or names of tensors whose producing nodes stay in float. */
const excludeSchema = z.array(z.string().min(1).max(256)).max(10_000).default([]);

export const int8DynamicConfigSchema = z
  .object({
    /** One weight scale per output column of MatMul/Gemm (MatMulInteger takes a per-column B zero point). */
    perChannel: z.boolean().default(false),
    /** ConvInteger is slow in ONNX Runtime and refuses per-channel zero points: off by default. */
    includeConv: z.boolean().default(false),
    exclude: excludeSchema,
  })
  .strict();
export type Int8DynamicConfig = z.infer<typeof int8DynamicConfigSchema>;

const calibratorSchema = z.enum(['minmax', 'percentile', 'entropy']);
export type Calibrator = z.infer<typeof calibratorSchema>;

export const int8StaticConfigSchema = z
  .object({
    calibrator: calibratorSchema.default('minmax'),
    /** For the percentile calibrator. */
    percentile: z.number().min(90).max(100).default(99.999),
    /**
     * Per output channel weight scales (opset ≥ 13). Unset: per-channel whenever the model's opset allows it
     * (raised to 13 when that is safe), else per-tensor with a warning; false forces per-tensor.
     */
    perChannel: z.boolean().optional(),
    /** int8 symmetric activations instead of asymmetric uint8. */
    symmetricActivations: z.boolean().default(false),
    exclude: excludeSchema,
  })
  .strict();
export type Int8StaticConfig = z.infer<typeof int8StaticConfigSchema>;

export const fp16ConfigSchema = z
  .object({
    /** Keep graph inputs/outputs float32 with Casts at the edges. */
    keepIoTypes: z.boolean().default(true),
    /** Op types that stay float32 (default: the ones known to break or lose accuracy in fp16). */
    blockList: z.array(z.string()).optional(),
    exclude: excludeSchema,
  })
  .strict();
export type Fp16Config = z.infer<typeof fp16ConfigSchema>;

/** Below this many training samples a student mostly memorises: the CLI's report and the form warn with the count. */
export const FEW_TRAINING_SAMPLES = 100;

export const distillConfigSchema = z
  .object({
    /** 'self' (the teacher itself), 'width:F' (a copy with a fraction F of the channels), or a .onnx path. */
    student: z.string().min(1).max(4096).default('self'),
    epochs: z.number().int().min(1).max(1000).default(5),
    temperature: z.number().positive().max(100).default(4),
    /** Weight of the distillation (KL) term; 1 − alpha weighs cross-entropy on labels when the data has them. */
    alpha: z.number().min(0).max(1).default(0.5),
    learningRate: z.number().positive().max(1).default(0.001),
    batchSize: z.number().int().min(1).max(4096).default(32),
    seed: z.number().int().default(1),
    /** Held-out checks per epoch; the best check's weights are kept (the last one after the epoch's end). */
    checksPerEpoch: z.number().int().min(1).max(1000).default(1),
  })
  .strict();
export type DistillConfig = z.infer<typeof distillConfigSchema>;

/** Quantization-aware fine-tuning: the static INT8 recipe (where Q/DQ go, calibrated scales), then distillation. */
export const qatConfigSchema = int8StaticConfigSchema
  .extend({
    epochs: z.number().int().min(1).max(1000).default(3),
    temperature: z.number().positive().max(100).default(1),
    alpha: z.number().min(0).max(1).default(1),
    learningRate: z.number().positive().max(1).default(0.0001),
    batchSize: z.number().int().min(1).max(4096).default(32),
    seed: z.number().int().default(1),
    /**
     * Held-out checks per epoch. QAT starts from a good model and the first updates do the most good (PaddleOCR
     * rec: 4 updates lifted the text read as FP32 reads it from 70 to 94 %, later ones drifted): it checks often.
     */
    checksPerEpoch: z.number().int().min(1).max(1000).default(8),
  })
  .strict();
export type QatConfig = z.infer<typeof qatConfigSchema>;

/** What a training pass (distillation) did: enough to judge and repeat it. */
const trainingReportSchema = z.lazy(() =>
  z.object({
    student: z.string(),
    studentParameters: z.number().int(),
    teacherParameters: z.number().int(),
    samples: z.number().int(),
    dataSha256: z.string(),
    labelled: z.boolean(),
    epochs: z.number().int(),
    /** Mean training loss per completed epoch. */
    lossCurve: z.array(z.number()),
    /**
     * Mean cosine between student and teacher outputs on held-out samples after each completed epoch (absent on
     * variants trained before it was measured, or when no sample was held out).
     */
    fidelityCurve: z.array(z.number()).optional(),
    /** Held-out cosine of the model training started from (absent without held-out samples). */
    fidelityBefore: z.number().optional(),
    /**
     * The epoch whose weights were kept (0: the starting weights) when it is not the last one: the best
     * held-out fidelity wins, so training never hands back a model that scores worse than where it started.
     */
    keptEpoch: z.number().int().optional(),
    /** Set when the kept weights were checked inside epoch `keptEpoch`: after this many updates in all. */
    keptUpdate: z.number().int().optional(),
    /** The held-out cosine of the weights kept at `keptUpdate` (epoch checks are in `fidelityCurve`). */
    keptCosine: z.number().optional(),
    samplesPerSecond: z.number(),
    /**
     * Set when the user cancelled: the stored model is the best check's, after epoch `bestEpoch` (1-based) or,
     * when it was checked inside that epoch, after update `bestUpdate`.
     */
    cancelled: z
      .object({
        atEpoch: z.number().int(),
        epochs: z.number().int(),
        bestEpoch: z.number().int(),
        bestUpdate: z.number().int().optional(),
      })
      .optional(),
  }),
);

/** Live training progress (the `detail` of a training job's progress events, key 'training'). */
export const trainingProgressSchema = z.object({
  key: z.literal('training'),
  /** 1-based epoch being trained, and how many there are. */
  epoch: z.number().int(),
  epochs: z.number().int(),
  /** Batches done in this epoch, of how many. */
  step: z.number().int(),
  steps: z.number().int(),
  /** Running mean loss of this epoch. */
  loss: z.number(),
  /** Completed epochs' mean losses and held-out cosines (the fidelity curve may be empty: no held-out data). */
  lossCurve: z.array(z.number()),
  fidelityCurve: z.array(z.number()),
  /** Seconds left, estimated from the time so far; null before the first batch. */
  etaSeconds: z.number().nullable(),
  samplesPerSecond: z.number(),
});
export type TrainingProgress = z.infer<typeof trainingProgressSchema>;
export type TrainingReport = z.infer<typeof trainingReportSchema>;

export const imagePreprocessSchema = z
  .object({
    /** [height, width]; default: the model input's static H and W. */
    resize: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
    layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
    channelOrder: z.enum(['RGB', 'BGR']).default('RGB'),
    /** Pixel values are multiplied by this first (e.g. 1/255). */
    scale: z.number().default(1 / 255),
    mean: z.array(z.number()).default([0, 0, 0]),
    std: z.array(z.number()).default([1, 1, 1]),
  })
  .strict();
export type ImagePreprocess = z.infer<typeof imagePreprocessSchema>;

/**
 * Where calibration or evaluation samples come from. `path` is a folder of .npy files (one per sample, or one
 * subfolder per input), a single .npy (leading sample axis), or a folder of images.
 */
const dataSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('npy'), path: z.string().min(1) }).strict(),
  z
    .object({ kind: z.literal('images'), path: z.string().min(1), preprocess: imagePreprocessSchema })
    .strict(),
  z
    .object({
      kind: z.literal('random'),
      count: z.number().int().positive().max(10_000).default(32),
      seed: z.number().int().default(1),
    })
    .strict(),
]);
export type DataSpec = z.infer<typeof dataSpecSchema>;

const outputFidelitySchema = z.lazy(() =>
  z.object({
    name: z.string(),
    sqnrDb: z.number().nullable(),
    cosine: z.number().nullable(),
    maxAbsError: z.number(),
    meanAbsError: z.number(),
    /** Share of samples whose arg-max agrees, when the output looks like class scores; else null. */
    top1Agreement: z.number().nullable(),
  }),
);
export type OutputFidelity = z.infer<typeof outputFidelitySchema>;

const tensorFidelitySchema = z.lazy(() =>
  z.object({
    /** The float tensor in the parent model that was quantized. */
    name: z.string(),
    /** Op type of the node producing it (or 'input'). */
    producer: z.string(),
    /** Name of the producing node, when it has one (else exclude the node by this tensor's name). */
    node: z.string().nullable(),
    /** Float vs dequantized value in the variant: the error built up to this tensor. */
    sqnrDb: z.number().nullable(),
    /**
     * The float model's own value rounded alone on this tensor's 8-bit grid (its scale and zero point): the
     * error made here. null when the grid is not a per-tensor 8-bit one; absent in reports made before it.
     */
    roundingSqnrDb: z.number().nullable().optional(),
  }),
);
export type TensorFidelity = z.infer<typeof tensorFidelitySchema>;

/** Where a variant's rounding noise comes from and how much of it reaches the outputs (fidelity/README.md). */
const noiseBudgetSchema = z.lazy(() =>
  z.object({
    /** Activations whose rounding alone was measured. */
    tensors: z.number().int(),
    /** Median of their rounding-alone SQNR. */
    medianDb: z.number(),
    /** The rounding-alone SQNR the best tenth of them reach: what this model's activations get at most. */
    bestTenthDb: z.number(),
    /** Their noise powers (each relative to its own tensor) summed: the output's SQNR at unit gain. */
    summedDb: z.number(),
    /** The worst output's measured SQNR. */
    outputDb: z.number(),
    /** outputDb − summedDb: how much the network damps (> 0) or passes on rounding noise. */
    gainDb: z.number(),
    /** The median rounding-alone SQNR the worst output would need for ≈ cosine 0.999 (27 dB). */
    neededMedianDb: z.number(),
  }),
);
export type NoiseBudget = z.infer<typeof noiseBudgetSchema>;

export const fidelityReportSchema = z.lazy(() =>
  z.object({
    samples: z.number().int(),
    /** 'held-out' = the calibration samples not used to calibrate; 'eval' = --eval data; 'random' = made up. */
    source: z.enum(['held-out', 'eval', 'random', 'calibration']),
    outputs: z.array(outputFidelitySchema),
    /** Accuracy against labels, when the data carried labels. */
    accuracy: z.object({ parent: z.number(), variant: z.number(), samples: z.number().int() }).nullable(),
    /** Quantized activations, worst first: where the error comes from. */
    tensors: z.array(tensorFidelitySchema),
    /** Rounding noise made vs reaching the outputs, when activations were rounded; absent in older reports. */
    noiseBudget: noiseBudgetSchema.nullable().optional(),
    sizeBytes: z.object({ parent: z.number().int(), variant: z.number().int(), ratio: z.number() }),
    /** Median ORT latency (ms), both models timed in the same process, interleaved. */
    latencyMs: z.object({
      parent: z.number(),
      variant: z.number(),
      ratio: z.number(),
      runs: z.number().int(),
    }),
    warnings: z.array(z.string()),
  }),
);
export type FidelityReport = z.infer<typeof fidelityReportSchema>;

const passReportSchema = z.lazy(() =>
  z.object({
    method: optimizeMethodSchema,
    /** Nodes rewritten, by op type. */
    converted: z.record(z.string(), z.number().int()),
    /** Nodes left as they were, with the reason (excluded, unsupported, non-constant weight …). */
    skipped: z.array(z.object({ node: z.string(), opType: z.string(), reason: z.string() })),
    calibration: z
      .object({
        calibrator: calibratorSchema,
        samples: z.number().int(),
        tensors: z.number().int(),
        dataSha256: z.string(),
        random: z.boolean(),
      })
      .nullable(),
    warnings: z.array(z.string()),
    /** Pruning passes: per-layer channels or sparsity, MACs, parameters, compressed sizes. */
    pruning: pruningReportSchema.optional(),
    durationMs: z.number(),
    training: trainingReportSchema.optional(),
  }),
);
export type PassReport = z.infer<typeof passReportSchema>;

export const autoConfigSchema = z
  .object({
    /** What the variant must keep: see GOAL_GRAMMAR in shared/goal.ts. */
    goal: z.string().min(1).max(500).default('cosine>=0.999'),
    /** Where speed is measured: 'this-machine', or a hardware profile id (then estimated, and said so). */
    target: z.string().min(1).max(200).default('this-machine'),
    /** Past it, the search stops and keeps the best found so far (marked). */
    budgetMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(10),
    calibrator: calibratorSchema.default('minmax'),
    /** Nodes (names) that stay float / that stay int8 whatever the search finds. */
    forceFloat: z.array(z.string().min(1).max(256)).max(10_000).default([]),
    forceInt8: z.array(z.string().min(1).max(256)).max(10_000).default([]),
  })
  .strict();
export type AutoConfig = z.infer<typeof autoConfigSchema>;

const autoCandidateKindSchema = z.enum([
  'int8-static',
  'int8-mixed',
  'int8-mixed+dynamic',
  'int8-dynamic',
  'int8-dynamic+fp16',
  'fp16',
  'fp32-prepared',
  'int8-weights',
  'int8-weights+dynamic',
]);

const autoCandidateSchema = z.lazy(() =>
  z.object({
    id: z.string(),
    kind: autoCandidateKindSchema,
    /** One line: how it was made ("per-channel, 12 nodes float: the most sensitive"). */
    description: z.string(),
    int8Nodes: z.number().int(),
    floatNodes: z.number().int(),
    sizeBytes: z.number().int(),
    sizeRatio: z.number(),
    /** Median ms on the target and ratio to the parent measured in the same run; null when not measured. */
    latencyMs: z.number().nullable(),
    latencyRatio: z.number().nullable(),
    cosine: z.number().nullable(),
    sqnrDb: z.number().nullable(),
    top1: z.number().nullable(),
    accuracy: z.number().nullable(),
    meetsGoal: z.boolean(),
    /** On the Pareto front of (latency, size, fidelity) among all candidates. */
    pareto: z.boolean(),
    recommended: z.boolean(),
    /** Stored as a variant (its model id once stored). */
    savedAs: z.string().nullable(),
    /** Node names kept float: with forceFloat/forceInt8 this re-makes the candidate. */
    floatNodeNames: z.array(z.string()),
  }),
);
export type AutoCandidate = z.infer<typeof autoCandidateSchema>;

const autoNodeSchema = z.lazy(() =>
  z.object({
    node: z.string(),
    opType: z.string(),
    /** Output SQNR / cosine when only this node is int8 (null: not measured within the budget). */
    sensitivitySqnrDb: z.number().nullable(),
    sensitivityCosine: z.number().nullable(),
    /** Kernel µs per run from ONNX Runtime's profiler, float graph and all-int8 graph (Q/DQ it causes included). */
    floatUs: z.number().nullable(),
    int8Us: z.number().nullable(),
    decision: z.enum(['int8', 'float']),
    reason: z.string(),
  }),
);
export type AutoNode = z.infer<typeof autoNodeSchema>;

const autoReportSchema = z.lazy(() =>
  z.object({
    goal: z.string(),
    goalMet: z.boolean(),
    target: z.string(),
    /** Where and how every figure was measured, in words. */
    measuredOn: z.string(),
    candidates: z.array(autoCandidateSchema),
    nodes: z.array(autoNodeSchema),
    recommendedId: z.string().nullable(),
    /** The plain-words verdict: what to use and why, including "no INT8 path helps here". */
    verdict: z.string(),
    notes: z.array(z.string()),
    stoppedEarly: z.enum(['budget', 'cancelled']).nullable(),
    searchMs: z.number(),
    peakRssMb: z.number(),
    scoringSamples: z.number().int(),
  }),
);
export type AutoReport = z.infer<typeof autoReportSchema>;

export const variantReportSchema = z.lazy(() =>
  z.object({
    pass: passReportSchema,
    fidelity: fidelityReportSchema,
    /** Present on variants made by `--method auto`: the whole search. */
    auto: autoReportSchema.optional(),
  }),
);
export type VariantReport = z.infer<typeof variantReportSchema>;

/** What a variant records of how it was made: enough to make it again. */
export const recipeSchema = z.object({
  method: z.union([optimizeMethodSchema, z.literal('auto')]),
  config: z.record(z.string(), z.unknown()),
  parentSha256: z.string(),
  calibration: z.object({ spec: dataSpecSchema, sha256: z.string(), samples: z.number().int() }).nullable(),
  evaluation: z.object({ spec: dataSpecSchema, sha256: z.string(), samples: z.number().int() }).nullable(),
  onnxRuntimeVersion: z.string(),
  edgefleetVersion: z.string(),
});
export type Recipe = z.infer<typeof recipeSchema>;

/** Which pass, with its options (defaults filled in by the schema). */
export const methodOptionsSchema = z.lazy(() =>
  z.discriminatedUnion('method', [
    z.object({
      method: z.literal('int8-dynamic'),
      config: int8DynamicConfigSchema.default(int8DynamicConfigSchema.parse({})),
    }),
    z.object({
      method: z.literal('int8-static'),
      config: int8StaticConfigSchema.default(int8StaticConfigSchema.parse({})),
    }),
    z.object({ method: z.literal('fp16'), config: fp16ConfigSchema.default(fp16ConfigSchema.parse({})) }),
    z.object({ method: z.literal('auto'), config: autoConfigSchema.default(autoConfigSchema.parse({})) }),
    z.object({ method: z.literal('prune-channels'), config: pruneChannelsConfigSchema }),
    z.object({ method: z.literal('prune-weights'), config: pruneWeightsConfigSchema }),
    z.object({
      method: z.literal('distill'),
      config: distillConfigSchema.default(distillConfigSchema.parse({})),
    }),
    z.object({ method: z.literal('qat'), config: qatConfigSchema.default(qatConfigSchema.parse({})) }),
  ]),
);
export type MethodOptions = z.infer<typeof methodOptionsSchema>;

/** A full optimization request as the core takes it (data given by path). */
export const optimizeRequestSchema = z.lazy(() =>
  z.object({
    model: z.string().min(1),
    name: z.string().optional(),
    options: methodOptionsSchema,
    calibration: dataSpecSchema.optional(),
    evaluation: dataSpecSchema.optional(),
  }),
);
export type OptimizeRequest = z.infer<typeof optimizeRequestSchema>;
