import { z } from 'zod';
import { variantReportSchema } from './optimize';

/** A dimension: a number, a symbolic name ("batch"), or null when unknown. */
const dimSchema = z.union([z.number().int(), z.string(), z.null()]);

const tensorInfoSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    /** ONNX element type in lower case ("float32", "int64", "float16" …); "unknown" if not a tensor. */
    elemType: z.string(),
    /** null when the model gives no shape at all (rank unknown). */
    shape: z.array(dimSchema).nullable(),
  }),
);
export type TensorInfo = z.infer<typeof tensorInfoSchema>;

export const modelSummarySchema = z.lazy(() =>
  z.object({
    irVersion: z.number().int(),
    opsets: z.array(z.object({ domain: z.string(), version: z.number().int() })),
    producer: z.object({ name: z.string(), version: z.string() }),
    graphName: z.string(),
    inputs: z.array(tensorInfoSchema),
    outputs: z.array(tensorInfoSchema),
    nodeCount: z.number().int(),
    /** Sorted by count, most frequent first. */
    opHistogram: z.array(z.object({ opType: z.string(), domain: z.string(), count: z.number().int() })),
    parameterCount: z.number().int(),
    weightBytesByDtype: z.array(
      z.object({ dtype: z.string(), bytes: z.number().int(), tensors: z.number().int() }),
    ),
    weightBytes: z.number().int(),
    /** Multiply-accumulates of Conv/ConvTranspose/Gemm/MatMul at static shapes (symbolic dims = 1). */
    macs: z.number(),
    macsByOpType: z.array(z.object({ opType: z.string(), macs: z.number() })),
    /** Nodes of those op types whose shapes could not be inferred: their MACs are missing from `macs`. */
    macsUnknownNodes: z.number().int(),
  }),
);
export type ModelSummary = z.infer<typeof modelSummarySchema>;

export const modelSchema = z.object({
  id: z.string(),
  name: z.string(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  sourceFileName: z.string(),
  importedAt: z.string(),
  /** Variants (made by the optimizer) point at the model they were made from. */
  parentId: z.string().nullable(),
  method: z.string().nullable(),
  recipe: z.unknown().nullable(),
  /** The optimizer's report (what was converted, fidelity against the parent); null for imported models. */
  report: variantReportSchema.nullable(),
  summary: modelSummarySchema,
});
export type Model = z.infer<typeof modelSchema>;

export const modelRefSchema = z.string().min(1).max(256);

export const importResultSchema = z.object({
  model: modelSchema,
  /** True when the same bytes were already in the library: the existing model is returned. */
  existed: z.boolean(),
  /** What the model will make hard later (an input declaring a 0 or huge dimension …); it was imported anyway. */
  warnings: z.array(z.string()).optional(),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const removeResultSchema = z.object({
  id: z.string(),
  fileDeleted: z.boolean(),
});
export type RemoveResult = z.infer<typeof removeResultSchema>;

export const modelNameSchema = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(120, 'name must be at most 120 characters')
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  .regex(/^[^\x00-\x1f/\\]+$/, 'name must not contain control characters or slashes');
