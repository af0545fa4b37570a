/**
 * Unstructured magnitude pruning: the smallest-magnitude weights of Conv, ConvTranspose, Gemm and MatMul layers
 * are set to zero, either with one threshold over all pruned layers ('global': layers with many small weights
 * lose more) or so that every layer reaches the sparsity ('per-layer'). The first and last weighted layers are
 * skipped by default: they are the most sensitive (NNCF and INC do the same).
 *
 * The model stays dense: ONNX Runtime's CPU kernels multiply zeros like any other value (it even densifies
 * sparse_initializer at load), so this saves download and storage once compressed, not time. The report says so.
 */
import type { ModelProto, NodeProto, TensorProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import type { PassReport } from '../../../../shared/schemas/optimize';
import {
  pruneWeightsConfigSchema,
  type PruneWeightsConfig,
  type WeightPruningReport,
} from '../../../../shared/schemas/prune';
import { throwIfCancelled } from '../../jobs/job-manager';
import { cloneModelSharingTensorData, encodeModel, formatBytes, topologicalOrder } from '../../onnx';
import { assertNotQuantized } from '../quant';
import { constantTensors, isExcluded, nodeLabel, readFloat32 } from '../passes/graph-edit';
import type { Pass, PassContext, PassResult } from '../types';
import { compressedSizes } from './compressed-size';

export const pruneWeightsPass: Pass<PruneWeightsConfig> = {
  method: 'prune-weights',
  run: runPruneWeights,
};

const WEIGHTED_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

type Layer = { node: NodeProto; tensor: TensorProto; values: Float32Array; skipped: string | null };

export async function pruneWeights(
  model: ModelProto,
  rawConfig: unknown,
  signal?: AbortSignal,
): Promise<{ model: ModelProto; report: WeightPruningReport; warnings: string[] }> {
  const parsed = pruneWeightsConfigSchema.safeParse(rawConfig);
  if (!parsed.success) {
    throw new AppError(
      'PRUNE_CONFIG_INVALID',
      `Invalid pruning options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ')}.`,
    );
  }
  const config = parsed.data;
  if (!model.graph) throw new AppError('MODEL_INVALID', 'The model has no graph: export it again.');
  assertNotQuantized(model);
  const out = cloneModelSharingTensorData(model);
  const graph = out.graph!;
  const constants = constantTensors(graph);

  // One entry per weight tensor (a weight shared by two nodes is pruned once, reported with its first node).
  const layers: Layer[] = [];
  const seen = new Set<string>();
  for (const node of topologicalOrder(graph)) {
    if (!WEIGHTED_OPS.has(node.opType) || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
    const name = node.input[1] ?? '';
    const t = constants.get(name)?.tensor;
    if (!t || t.dataType !== DT.FLOAT || t.dims.length < 2 || seen.has(name)) continue;
    seen.add(name);
    layers.push({
      node,
      tensor: t,
      values: readFloat32(t),
      skipped: isExcluded(node, config.exclude) ? 'excluded' : null,
    });
  }
  if (config.skipFirstLast && layers.length > 0) {
    layers[0]!.skipped ??= 'first layer';
    layers[layers.length - 1]!.skipped ??= 'last layer';
  }
  const pruned = layers.filter((l) => l.skipped === null);
  if (pruned.length === 0) {
    throw new AppError(
      'NOTHING_TO_PRUNE',
      layers.length === 0
        ? 'Nothing to prune: the model has no Conv, Gemm or MatMul with a constant float32 weight.'
        : `Nothing to prune: all ${layers.length} weighted layer(s) are skipped (${[...new Set(layers.map((l) => l.skipped))].join(', ')}). ` +
            (config.skipFirstLast ? 'Prune the first and last layers too (--include-first-last), or ' : '') +
            'shorten the exclude list.',
    );
  }
  throwIfCancelled(signal);

  if (config.scope === 'global') {
    const all = new Float32Array(pruned.reduce((n, l) => n + l.values.length, 0));
    let o = 0;
    for (const l of pruned) {
      for (let i = 0; i < l.values.length; i++) all[o + i] = Math.abs(l.values[i]!);
      o += l.values.length;
    }
    const count = Math.floor(config.sparsity * all.length);
    const threshold = kthSmallest(all, count);
    // Ties at the threshold are zeroed in layer order until the count is reached, so the total is exact.
    let ties = count - countBelow(all, threshold);
    for (const l of pruned) ties = zeroBelow(l.values, threshold, ties);
  } else {
    for (const l of pruned) {
      const mags = l.values.map(Math.abs);
      const count = Math.floor(config.sparsity * mags.length);
      const threshold = kthSmallest(mags, count);
      zeroBelow(l.values, threshold, count - countBelow(mags, threshold));
    }
  }
  for (const l of pruned) {
    // New byte arrays: the clone shares raw_data with the input model, which must not change.
    l.tensor.rawData = new Uint8Array(l.values.buffer, l.values.byteOffset, l.values.byteLength).slice();
    l.tensor.floatData = [];
  }
  throwIfCancelled(signal);

  const zeros = (v: Float32Array) => v.reduce((n, x) => n + (x === 0 ? 1 : 0), 0);
  const rows = layers.map((l) => {
    const z = zeros(l.values);
    return {
      node: nodeLabel(l.node),
      opType: l.node.opType,
      tensor: l.tensor.name,
      params: l.values.length,
      zeros: z,
      sparsity: l.values.length === 0 ? 0 : z / l.values.length,
      skipped: l.skipped,
    };
  });
  const totalParams = rows.reduce((n, r) => n + r.params, 0);
  const dense = await compressedSizes(encodeModel(model));
  const sparse = await compressedSizes(encodeModel(out));
  const report: WeightPruningReport = {
    kind: 'weights',
    sparsity: config.sparsity,
    scope: config.scope,
    layers: rows,
    overallSparsity: totalParams === 0 ? 0 : rows.reduce((n, r) => n + r.zeros, 0) / totalParams,
    sizeBytes: { dense, pruned: sparse },
  };
  const zstdText =
    sparse.zstd === null || dense.zstd === null
      ? 'zstd: not available in this Node.js'
      : `zstd ${formatBytes(dense.zstd)} → ${formatBytes(sparse.zstd)} (${(sparse.zstd / dense.plain).toFixed(3)}× of the plain file)`;
  const warnings = [
    'Unstructured sparsity gives no speed-up in ONNX Runtime on CPU: zero weights are multiplied like any other ' +
      '(ORT even densifies sparse initializers at load). The file is only smaller once compressed — ' +
      `gzip ${formatBytes(dense.gzip)} → ${formatBytes(sparse.gzip)}, ${zstdText}. For a faster model use ` +
      'prune-channels.',
  ];
  return { model: out, report, warnings };
}

async function runPruneWeights(
  model: ModelProto,
  config: PruneWeightsConfig,
  ctx: PassContext,
): Promise<PassResult> {
  ctx.progress({ phase: 'pruning', percent: 5, message: 'ranking weights by magnitude' });
  const outcome = await pruneWeights(model, config, ctx.signal);
  ctx.progress({ phase: 'pruning', percent: 100 });
  const converted: Record<string, number> = {};
  for (const l of outcome.report.layers) if (!l.skipped) converted[l.opType] = (converted[l.opType] ?? 0) + 1;
  const report: Omit<PassReport, 'durationMs'> = {
    method: 'prune-weights',
    converted,
    skipped: outcome.report.layers
      .filter((l) => l.skipped)
      .map((l) => ({ node: l.node, opType: l.opType, reason: l.skipped! })),
    calibration: null,
    warnings: outcome.warnings,
    pruning: outcome.report,
  };
  return { model: outcome.model, report, quantizedTensors: [] };
}

/** The k-th smallest value (1-based) of a copy of `values`; -Infinity for k = 0 (nothing to zero). */
function kthSmallest(values: Float32Array, k: number): number {
  if (k <= 0) return -Infinity;
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(k, sorted.length) - 1]!;
}

function countBelow(mags: Float32Array, threshold: number): number {
  let n = 0;
  for (const m of mags) if (m < threshold) n++;
  return n;
}

/** Zeroes every value below the threshold, and up to `ties` values equal to it; returns the ties left. */
function zeroBelow(values: Float32Array, threshold: number, ties: number): number {
  for (let i = 0; i < values.length; i++) {
    const m = Math.abs(values[i]!);
    if (m < threshold) values[i] = 0;
    else if (m === threshold && ties > 0) {
      values[i] = 0;
      ties--;
    }
  }
  return ties;
}
