import { z } from 'zod';
import { cpuFeatureSchema } from './fleet';

/**
 * Benchmarks: hardware profiles, run settings, measured and estimated results. Every figure says whether it was
 * measured (on this machine or on a device) or estimated (roofline on a profile), and with which runtime.
 */

// ---------------------------------------------------------------------------------------------------------
// Hardware profiles

const positive = (what = 'a positive number') =>
  z.number({ error: `expected ${what}` }).positive({ error: `expected ${what}` });
const positiveInt = () =>
  z
    .number({ error: 'expected a positive whole number' })
    .int({ error: 'expected a positive whole number' })
    .positive({ error: 'expected a positive whole number' });

const profileIdPattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const hardwareProfileIdSchema = z.string({ error: 'expected a text id' }).regex(profileIdPattern, {
  error: 'expected 1–64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
});

const profileArchSchema = z.enum(['arm64', 'armv7', 'x86_64'], {
  error: 'expected one of arm64, armv7, x86_64',
});
export type ProfileArch = z.infer<typeof profileArchSchema>;

/** One group of identical cores (big.LITTLE chips have two). */
const coreClusterSchema = z
  .object({
    /** "Cortex-A76", "Gracemont". */
    core: z.string({ error: 'expected the core name' }).min(1, { error: 'expected the core name' }),
    count: positiveInt(),
    clockGHz: positive(),
    /** Peak fp32 FLOPs one core retires per cycle (an FMA counts 2). */
    fp32FlopsPerCycle: positive(),
    /** Peak int8 operations one core retires per cycle (a multiply-accumulate counts 2). */
    int8OpsPerCycle: positive(),
  })
  .strict();
export type CoreCluster = z.infer<typeof coreClusterSchema>;

/** What EdgeFleet measured on a machine (only the "this machine" profile carries it). */
export const measuredPeaksSchema = z.object({
  threads: z.number().int().positive(),
  /** Achieved by ORT on a large fp32 MatMul. */
  fp32Gflops: z.number().positive(),
  /** Achieved by ORT on a large u8×s8 QLinearMatMul. */
  int8Gops: z.number().positive(),
  /** Achieved on a 3×3 convolution (128→128 channels, 28×28), fp32 and u8s8 QLinearConv. */
  fp32ConvGflops: z.number().positive(),
  int8ConvGops: z.number().positive(),
  /** Achieved on a 3×3 depthwise convolution (64 channels, 56×56): 2·MACs per second / 1e9. */
  depthwiseGflops: z.number().positive(),
  /** Achieved streaming rate of element-wise ops (reads + writes) at a last-level-cache-sized working set. */
  bandwidthGBs: z.number().positive(),
  /** The same with a working set that fits the per-core L2 (256 KB per op). */
  smallBandwidthGBs: z.number().positive(),
  /** Per-kernel dispatch cost inside one run (a chain of tiny ops). */
  kernelOverheadUs: z.number().nonnegative(),
  /** Fixed cost of one `session.run` call of a one-node model (binding, input/output copies). */
  runOverheadUs: z.number().nonnegative(),
  /** Peak resident memory of a runtime process that ran a one-op model (Node + ORT + a session). */
  runtimeBaselineBytes: z.number().nonnegative(),
  ortVersion: z.string(),
  measuredAt: z.string(),
});
export type MeasuredPeaks = z.infer<typeof measuredPeaksSchema>;

const profileOriginSchema = z.enum(['builtin', 'user', 'measured']);

/**
 * A target CPU as the estimator sees it. Peaks are theoretical (cores × GHz × ops/cycle); the estimator applies
 * efficiency factors measured on this machine. `sources` names where each value comes from (field → text).
 */
export const hardwareProfileSchema = z
  .object({
    id: hardwareProfileIdSchema,
    name: z.string({ error: 'expected a name' }).trim().min(1, { error: 'expected a name' }).max(120),
    description: z.string().max(2000).default(''),
    origin: profileOriginSchema.default('user'),
    arch: profileArchSchema,
    /** "4× Cortex-A76 @ 2.4 GHz + 4× Cortex-A55 @ 1.8 GHz". */
    cpuModel: z.string({ error: 'expected the CPU model' }).min(1, { error: 'expected the CPU model' }),
    cores: positiveInt(),
    /** Clock of the fastest cores, GHz. */
    clockGHz: positive(),
    /** Fastest first. Optional for user profiles; when given, the counts must add up to `cores`. */
    clusters: z.array(coreClusterSchema).min(1, { error: 'expected at least one cluster' }).optional(),
    features: z.array(cpuFeatureSchema),
    peakGflopsFp32PerThread: positive(),
    peakGflopsFp32: positive(),
    peakGopsInt8PerThread: positive(),
    peakGopsInt8: positive(),
    /** Theoretical DRAM bandwidth. */
    memoryBandwidthGBs: positive(),
    ramGB: positive(),
    /** Last-level cache; tensors smaller than this are assumed to move faster than DRAM. */
    llcMB: positive().optional(),
    /** Typical power under CPU load, W; unknown for "this machine". */
    typicalPowerW: positive().optional(),
    /**
     * Per-clock speed of one core on branchy, scalar code (runtime dispatch), relative to a recent big x86 core
     * = 1. Scales the per-kernel overhead measured on this machine.
     */
    relativeIpc: positive().default(1),
    /** Field name → where its value comes from (datasheet, formula, assumption). */
    sources: z.record(z.string(), z.string()).default({}),
    assumptions: z.array(z.string()).default([]),
    measured: measuredPeaksSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.clusters) {
      const sum = p.clusters.reduce((n, c) => n + c.count, 0);
      if (sum !== p.cores) {
        ctx.addIssue({
          code: 'custom',
          path: ['cores'],
          message: `expected the sum of the cluster core counts (${sum})`,
        });
      }
    }
    if (p.peakGflopsFp32PerThread > p.peakGflopsFp32 * 1.0001) {
      ctx.addIssue({
        code: 'custom',
        path: ['peakGflopsFp32PerThread'],
        message: 'expected at most peakGflopsFp32 (the all-core peak)',
      });
    }
    if (p.peakGopsInt8PerThread > p.peakGopsInt8 * 1.0001) {
      ctx.addIssue({
        code: 'custom',
        path: ['peakGopsInt8PerThread'],
        message: 'expected at most peakGopsInt8 (the all-core peak)',
      });
    }
  });
export type HardwareProfile = z.infer<typeof hardwareProfileSchema>;
export type HardwareProfileInput = z.input<typeof hardwareProfileSchema>;

export const profileImportResultSchema = z.object({
  file: z.string(),
  imported: z.array(z.object({ id: z.string(), action: z.enum(['added', 'updated']) })),
});
export type ProfileImportResult = z.infer<typeof profileImportResultSchema>;

// ---------------------------------------------------------------------------------------------------------
// Run settings and results

const optimizationLevelSchema = z.enum(['disabled', 'basic', 'extended', 'all']);
export type OptimizationLevel = z.infer<typeof optimizationLevelSchema>;

/** Element types a benchmark input may have (what ORT accepts from Node and Python alike). */
export const benchDtypeSchema = z.enum([
  'float32',
  'float16',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
]);

const benchInputSchema = z.object({
  name: z.string(),
  dtype: benchDtypeSchema,
  dims: z.array(z.number().int().nonnegative()),
});
export type BenchInput = z.infer<typeof benchInputSchema>;

const stopRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('iterations'), count: z.number().int().positive() }),
  /** Run until this much time passed and at least `minIterations` ran. */
  z.object({
    kind: z.literal('duration'),
    ms: z.number().positive(),
    minIterations: z.number().int().positive(),
  }),
]);
export type StopRule = z.infer<typeof stopRuleSchema>;

/** Everything that changes a latency figure, recorded with every result. */
const benchSettingsSchema = z.object({
  /** ORT intra-op threads (inter-op is 1, sequential execution). */
  threads: z.number().int().positive(),
  optimizationLevel: optimizationLevelSchema,
  warmupIterations: z.number().int().nonnegative(),
  stop: stopRuleSchema,
  inputs: z.array(benchInputSchema),
  /** Where input values come from: seeded random, or samples (sha256 of the data). */
  inputData: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('random'), seed: z.number().int() }),
    z.object({ kind: z.literal('samples'), sha256: z.string(), count: z.number().int().positive() }),
  ]),
});
export type BenchSettings = z.infer<typeof benchSettingsSchema>;

const latencyStatsSchema = z.lazy(() =>
  z.object({
    iterations: z.number().int().positive(),
    meanMs: z.number().nonnegative(),
    p50Ms: z.number().nonnegative(),
    p90Ms: z.number().nonnegative(),
    p99Ms: z.number().nonnegative(),
    stdevMs: z.number().nonnegative(),
    minMs: z.number().nonnegative(),
    maxMs: z.number().nonnegative(),
    /** Inferences per second = 1000 / mean. */
    throughputPerSec: z.number().nonnegative(),
    /** Wall time of the measured loop. */
    totalMs: z.number().nonnegative(),
  }),
);
export type LatencyStats = z.infer<typeof latencyStatsSchema>;

export const benchRuntimeSchema = z.enum([
  'onnxruntime-node',
  'onnxruntime-python',
  'onnxruntime_perf_test',
  /** NVIDIA TensorRT's trtexec on a device (`--loadEngine`); `ortVersion` then holds TensorRT's version. */
  'tensorrt-trtexec',
]);
export type BenchRuntime = z.infer<typeof benchRuntimeSchema>;

/** One measured benchmark run (local child process or on a device). */
const measuredRunSchema = z.lazy(() =>
  z.object({
    runtime: benchRuntimeSchema,
    ortVersion: z.string(),
    latency: latencyStatsSchema,
    /** Session creation (load + graph optimization), ms; null when the runtime does not report it. */
    loadMs: z.number().nonnegative().nullable(),
    warmupMs: z.number().nonnegative().nullable(),
    /** Peak resident memory of the benchmark process (VmHWM), bytes. */
    peakRssBytes: z.number().nonnegative().nullable(),
    /** Resident memory with the runtime loaded, before the model: peak − baseline ≈ what the model costs. */
    baselineRssBytes: z.number().nonnegative().nullable(),
    /** TensorRT runs only: how the engine was built, and every percentile trtexec reported (ms by percent). */
    tensorrt: z
      .object({
        precision: z.enum(['fp32', 'fp16', 'int8', 'best']),
        dlaCore: z.number().int().nullable(),
        percentilesMs: z.record(z.string(), z.number()),
        throughputQps: z.number().nonnegative(),
      })
      .optional(),
  }),
);
export type MeasuredRun = z.infer<typeof measuredRunSchema>;

const estimateWarningCodeSchema = z.enum([
  'INT8_NO_DOT_PRODUCT',
  'INT8_SATURATION_RISK',
  'FP16_NO_SPEEDUP',
  'FP16_PARTIAL',
  'DOES_NOT_FIT',
  'MEMORY_TIGHT',
  'THREADS_CAPPED',
  'LITTLE_CORES',
  'UNKNOWN_COST',
]);
const estimateWarningSchema = z.object({ code: estimateWarningCodeSchema, message: z.string() });
export type EstimateWarning = z.infer<typeof estimateWarningSchema>;

const variantTraitsSchema = z.lazy(() =>
  z.object({
    /** QLinear*, QDQ pairs, MatMulInteger/ConvInteger or DynamicQuantizeLinear found. */
    int8: z.boolean(),
    /** float16 initializers or inputs found. */
    fp16: z.boolean(),
    /** Share of MACs the int8 kernels do (after ORT's fusions). */
    int8MacFraction: z.number().min(0).max(1),
    /** Share of weight bytes stored as float16. */
    fp16WeightFraction: z.number().min(0).max(1),
  }),
);
export type VariantTraits = z.infer<typeof variantTraitsSchema>;

const memoryEstimateSchema = z.lazy(() =>
  z.object({
    weightsBytes: z.number().nonnegative(),
    /** Largest sum of live intermediate tensors along the execution order. */
    peakActivationBytes: z.number().nonnegative(),
    runtimeOverheadBytes: z.number().nonnegative(),
    totalBytes: z.number().nonnegative(),
    ramBytes: z.number().nonnegative(),
    fits: z.boolean(),
  }),
);
export type MemoryEstimate = z.infer<typeof memoryEstimateSchema>;

const estimateSchema = z.lazy(() =>
  z.object({
    profileId: z.string(),
    threads: z.number().int().positive(),
    /** Predicted median latency. */
    latencyMs: z.number().nonnegative(),
    /** The estimator's typical error band (±35 %), after any device correction. */
    lowMs: z.number().nonnegative(),
    highMs: z.number().nonnegative(),
    breakdown: z.object({
      computeBoundMs: z.number().nonnegative(),
      memoryBoundMs: z.number().nonnegative(),
      overheadMs: z.number().nonnegative(),
    }),
    gmacs: z.number().nonnegative(),
    memory: memoryEstimateSchema,
    traits: variantTraitsSchema,
    /** Efficiency factors from this machine's calibration that were applied. */
    calibration: z.object({
      fp32Efficiency: z.number().positive(),
      int8Efficiency: z.number().positive(),
      measuredAt: z.string(),
    }),
    /** measured ÷ estimated on devices of this profile (median), already applied; null when none measured. */
    correction: z.object({ factor: z.number().positive(), basedOn: z.number().int().positive() }).nullable(),
    warnings: z.array(estimateWarningSchema),
    unknownCostNodes: z.number().int().nonnegative(),
  }),
);
export type Estimate = z.infer<typeof estimateSchema>;

export const benchTargetKindSchema = z.enum(['local', 'profile', 'device']);
const benchTargetSchema = z.lazy(() =>
  z.object({
    kind: benchTargetKindSchema,
    /** 'this-machine', a profile id, or a device name. */
    id: z.string(),
    label: z.string(),
  }),
);
export type BenchTarget = z.infer<typeof benchTargetSchema>;

/** One stored figure: measured (local or device) or estimated (profile), with what produced it. */
export const benchResultSchema = z.lazy(() =>
  z.object({
    id: z.string(),
    createdAt: z.string(),
    modelId: z.string(),
    modelName: z.string(),
    modelSha256: z.string(),
    source: z.enum(['measured', 'estimated']),
    target: benchTargetSchema,
    /** The profile this figure belongs to (a device's profile for device runs); null when none. */
    profileId: z.string().nullable(),
    settings: benchSettingsSchema,
    /** ORT version that ran it (measured) or whose optimized graph was analysed (estimated). */
    ortVersion: z.string(),
    runtime: z.string(),
    measured: measuredRunSchema.nullable(),
    estimate: estimateSchema.nullable(),
    /** For measured results: the estimator's prediction for the same target and settings, when one was made. */
    predictedMs: z.number().nonnegative().nullable(),
  }),
);
export type BenchResult = z.infer<typeof benchResultSchema>;

const estimatorErrorRowSchema = z.lazy(() =>
  z.object({
    modelName: z.string(),
    predictedMs: z.number(),
    measuredMs: z.number(),
    /** (predicted − measured) / measured × 100. */
    errorPct: z.number(),
  }),
);
export const benchReportSchema = z.lazy(() =>
  z.object({
    results: z.array(benchResultSchema),
    /** Predicted vs measured on this machine for every model benchmarked locally. */
    estimatorError: z.object({
      rows: z.array(estimatorErrorRowSchema),
      medianAbsErrorPct: z.number().nullable(),
    }),
  }),
);
export type BenchReport = z.infer<typeof benchReportSchema>;
