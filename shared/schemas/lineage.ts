import { z } from 'zod';
import { benchTargetKindSchema } from './bench';

/**
 * Where a model or variant went after it was made: the benchmarks run on it and the devices that run it
 * now (with the release name). Together with the variant's recipe (parent, method, data hashes, versions)
 * this closes the chain both ways: variant → benchmarks and devices; release on a device → variant.
 */
const lineageBenchmarkSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  source: z.enum(['measured', 'estimated']),
  targetKind: benchTargetKindSchema,
  targetId: z.string(),
  targetLabel: z.string(),
  runtime: z.string(),
  /** Median latency measured (p50), or predicted by the estimator. */
  latencyMs: z.number().nonnegative().nullable(),
});

const lineageDeviceSchema = z.object({
  deviceId: z.string(),
  deviceName: z.string(),
  /** The model directory on the device (the lineage's root model name). */
  modelName: z.string(),
  release: z.string(),
  /** When the record last changed (deploy, rollback, or a drift check that adopted it). */
  since: z.string(),
  deploymentId: z.string().nullable(),
});

export const modelLineageSchema = z.object({
  modelId: z.string(),
  benchmarks: z.array(lineageBenchmarkSchema),
  runningOn: z.array(lineageDeviceSchema),
});
export type ModelLineage = z.infer<typeof modelLineageSchema>;
