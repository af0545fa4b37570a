import { z } from 'zod';

/** Op types, node names, or names of tensors whose producing nodes keep all their channels / weights. */
const excludeSchema = z.array(z.string().min(1).max(256)).max(10_000).default([]);

/** A share strictly between 0 and 1: 0 would change nothing, 1 would remove everything. */
const shareSchema = (what: string) =>
  z
    .number()
    .gt(0, `${what} must be greater than 0 and less than 1`)
    .lt(1, `${what} must be greater than 0 and less than 1`);

const channelImportanceSchema = z.enum(['l1', 'l2', 'bn-gamma']);
export type ChannelImportance = z.infer<typeof channelImportanceSchema>;

export const pruneChannelsConfigSchema = z
  .object({
    /** Share of the channels of every prunable group to remove (e.g. 0.3). */
    ratio: shareSchema('ratio').optional(),
    /** Instead of a ratio: the share of the model's MACs to keep (e.g. 0.5); the ratio is searched for. */
    targetMacs: shareSchema('target MACs').optional(),
    importance: channelImportanceSchema.default('l1'),
    /**
     * Kept channel counts are rounded up to a multiple of this: ONNX Runtime's CPU convolutions work on blocks of
     * 8 or 16 channels (NCHWc), and odd counts can make a pruned model slower than the original.
     */
    channelMultiple: z.number().int().min(1).max(64).default(8),
    /**
     * Add what removed channels contributed on average (measured on the calibration data, else random inputs) to
     * the next layer's bias. Off only to compare.
     */
    biasCompensation: z.boolean().default(true),
    /**
     * Prune one group at a time on sample data first, and give sensitive groups a smaller ratio, insensitive ones
     * a larger one (the MAC total stays about that of the uniform ratio).
     */
    sensitivity: z.boolean().default(false),
    /**
     * Time each group pruned alone to a few channel counts on this machine, and spend the uniform ratio's channel
     * budget where it saves the most measured time (kept only if the result runs faster than the uniform plan).
     * Needs `ratio`.
     */
    latencyAware: z.boolean().default(false),
    /** Distillation from the unpruned model afterwards, on the job's data (`--data`). */
    fineTune: z.boolean().default(false),
    /** Passes over the data when fine-tuning (`--epochs`). */
    fineTuneEpochs: z.number().int().min(1).max(100).default(3),
    exclude: excludeSchema,
  })
  .strict();
export type PruneChannelsConfig = z.infer<typeof pruneChannelsConfigSchema>;

export const pruneWeightsConfigSchema = z
  .object({
    /** Share of the weights of the pruned layers set to zero (e.g. 0.8). */
    sparsity: shareSchema('sparsity'),
    /** 'global': one magnitude threshold over all pruned layers; 'per-layer': every layer hits the sparsity. */
    scope: z.enum(['global', 'per-layer']).default('global'),
    /** The first and last weighted layers lose the most accuracy when pruned: skipped unless false. */
    skipFirstLast: z.boolean().default(true),
    exclude: excludeSchema,
  })
  .strict();
export type PruneWeightsConfig = z.infer<typeof pruneWeightsConfigSchema>;

const prunedLayerSchema = z.lazy(() =>
  z.object({
    node: z.string(),
    opType: z.string(),
    /** Output channels (Conv) or output columns (Gemm/MatMul). */
    channelsBefore: z.number().int(),
    channelsAfter: z.number().int(),
    /** Input channels (per group for depthwise convs: 1). */
    inputsBefore: z.number().int(),
    inputsAfter: z.number().int(),
    macsBefore: z.number().nullable(),
    macsAfter: z.number().nullable(),
    paramsBefore: z.number().int(),
    paramsAfter: z.number().int(),
  }),
);
export type PrunedLayer = z.infer<typeof prunedLayerSchema>;

const channelGroupSchema = z.lazy(() =>
  z.object({
    /** The nodes whose output channels form this group (convolutions and Gemm/MatMul, joined by Add/Mul/…). */
    producers: z.array(z.string()),
    channelsBefore: z.number().int(),
    channelsAfter: z.number().int(),
    ratio: z.number(),
    /** Output SQNR (dB) with this group alone pruned at the requested ratio (sensitivity scan); else null. */
    sensitivityDb: z.number().nullable(),
    /**
     * Latency-aware runs: milliseconds saved on this machine with this group alone pruned to its final count
     * (negative: slower), or null when not timed.
     */
    latencySavedMs: z.number().nullable().default(null),
  }),
);

const totalsSchema = z.lazy(() =>
  z.object({
    macsBefore: z.number(),
    macsAfter: z.number(),
    paramsBefore: z.number().int(),
    paramsAfter: z.number().int(),
  }),
);

const channelPruningReportSchema = z.lazy(() =>
  z.object({
    kind: z.literal('channels'),
    /** The uniform ratio used (searched for with targetMacs). */
    ratio: z.number(),
    importance: channelImportanceSchema,
    groups: z.array(channelGroupSchema),
    /** Groups left whole, with why (graph output, an op that mixes channels, excluded …). */
    blocked: z.array(z.object({ producers: z.array(z.string()), reasons: z.array(z.string()) })),
    layers: z.array(prunedLayerSchema),
    totals: totalsSchema,
    /** Latency-aware runs: what was timed and which allocation was kept; absent otherwise. */
    latency: z
      .object({
        allocation: z.enum(['latency-aware', 'uniform']),
        /** Unpruned model, ms per run on one sample (median). */
        baseMs: z.number(),
        /** Latency of the latency-aware plan over the uniform plan's, measured side by side. */
        againstUniform: z.number(),
        measurements: z.number().int(),
      })
      .optional(),
  }),
);
export type ChannelPruningReport = z.infer<typeof channelPruningReportSchema>;

const weightPruningReportSchema = z.lazy(() =>
  z.object({
    kind: z.literal('weights'),
    sparsity: z.number(),
    scope: z.enum(['global', 'per-layer']),
    layers: z.array(
      z.object({
        node: z.string(),
        opType: z.string(),
        tensor: z.string(),
        params: z.number().int(),
        zeros: z.number().int(),
        sparsity: z.number(),
        skipped: z.string().nullable(),
      }),
    ),
    /** Share of zeros over all weights of Conv/Gemm/MatMul layers (pruned or not). */
    overallSparsity: z.number(),
    /** File sizes in bytes: as written, and compressed; zstd is null when no zstd encoder could be loaded. */
    sizeBytes: z.object({
      dense: z.object({ plain: z.number().int(), gzip: z.number().int(), zstd: z.number().int().nullable() }),
      pruned: z.object({
        plain: z.number().int(),
        gzip: z.number().int(),
        zstd: z.number().int().nullable(),
      }),
    }),
  }),
);
export type WeightPruningReport = z.infer<typeof weightPruningReportSchema>;

export const pruningReportSchema = z.lazy(() =>
  z.discriminatedUnion('kind', [channelPruningReportSchema, weightPruningReportSchema]),
);
export type PruningReport = z.infer<typeof pruningReportSchema>;
