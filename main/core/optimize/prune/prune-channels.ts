/**
 * Structured channel pruning: whole output channels (conv filters, Gemm columns) are removed from every layer
 * of a coupled group, and the model is written dense and smaller, so ONNX Runtime runs fewer MACs with no
 * sparse kernel. Steps: prepare (fold BN) → find groups (channel-graph.ts) → rank channels by importance →
 * choose per-group ratios (uniform, or searched for a MAC target, optionally skewed by a sensitivity scan) →
 * cut the weights (apply-channel-pruning.ts) → report per layer.
 */
import type { ModelProto, NodeProto } from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import type { PassReport } from '../../../../shared/schemas/optimize';
import {
  pruneChannelsConfigSchema,
  type ChannelPruningReport,
  type PruneChannelsConfig,
  type PrunedLayer,
} from '../../../../shared/schemas/prune';
import { throwIfCancelled } from '../../jobs/job-manager';
import { inferShapes, nodeMacs, tensorElementCount, type ValueShape } from '../../onnx';
import { assertNotQuantized } from '../quant';
import { nodeLabel } from '../passes/graph-edit';
import { fineTuneByDistillation } from '../../train/fine-tune';
import type { Pass, PassContext, PassResult } from '../types';
import { analyzeChannels, type ChannelGraph } from './channel-graph';
import { applyChannelPruning, type KeepPlan } from './apply-channel-pruning';
import { consumerInputMeans } from './channel-means';
import { channelScores } from './importance';
import { prepareForPruning } from './prepare';
import { scanSensitivity } from './sensitivity';
import { candidateCounts, chooseCounts, latencyRatio, scanLatency } from './latency-allocation';

export const pruneChannelsPass: Pass<PruneChannelsConfig> = {
  method: 'prune-channels',
  run: runPruneChannels,
};

/** Never remove more than this share of a group, whatever the search asks: a layer of 1 channel is useless. */
const MAX_GROUP_RATIO = 0.9;

export function parsePruneChannelsConfig(raw: unknown): PruneChannelsConfig {
  const parsed = pruneChannelsConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      'PRUNE_CONFIG_INVALID',
      `Invalid pruning options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ')}.`,
    );
  }
  const config = parsed.data;
  if ((config.ratio === undefined) === (config.targetMacs === undefined)) {
    throw new AppError(
      'PRUNE_CONFIG_INVALID',
      'Give exactly one of --ratio R (share of channels to remove, 0 < R < 1) or --target-macs F (share of ' +
        'MACs to keep, 0 < F < 1).',
    );
  }
  if (config.latencyAware && config.ratio === undefined) {
    throw new AppError(
      'PRUNE_CONFIG_INVALID',
      '--latency-aware spends the channel budget of a --ratio R where it saves the most time: give --ratio, not ' +
        '--target-macs.',
    );
  }
  return config;
}

type ChannelPruningOutcome = {
  model: ModelProto;
  prepared: ModelProto;
  report: ChannelPruningReport;
  warnings: string[];
};

/** The pass without the PassResult wrapping (tests call it directly; the report is the same). */
export async function pruneChannels(
  model: ModelProto,
  rawConfig: unknown,
  ctx: Pick<PassContext, 'signal' | 'progress' | 'scratchDir' | 'calibration'>,
): Promise<ChannelPruningOutcome> {
  const config = parsePruneChannelsConfig(rawConfig);
  if (!model.graph) throw new AppError('MODEL_INVALID', 'The model has no graph: export it again.');
  assertNotQuantized(model);
  ctx.progress({ phase: 'pre-processing', percent: 2, message: 'folding BatchNormalization' });
  const prep = await prepareForPruning(model, ctx.scratchDir);
  throwIfCancelled(ctx.signal);

  ctx.progress({ phase: 'analyzing', percent: 10, message: 'finding channel groups' });
  const cg = analyzeChannels(prep.model, prep.shapes, { exclude: config.exclude });
  const groups = cg.groups();
  const prunable = groups.filter((g) => cg.blockers(g).length === 0 && cg.size(g) > 1);
  if (prunable.length === 0) throw nothingToPrune(cg, groups);

  const warnings: string[] = [];
  const scores = new Map<number, Float64Array>();
  let fellBack = 0;
  for (const g of prunable) {
    const s = channelScores(cg, g, config.importance, prep.gammas);
    scores.set(g, s.scores);
    fellBack += s.fellBack;
  }
  if (fellBack > 0) {
    warnings.push(
      `bn-gamma: ${fellBack} layer(s) had no BatchNormalization after them; their channels were ranked by the ` +
        'L2 norm of their weights instead.',
    );
  }
  const order = new Map<number, number[]>();
  for (const g of prunable) {
    const s = scores.get(g)!;
    // Ascending importance; ties by index so equal channels are removed from the end, deterministically.
    order.set(
      g,
      [...s.keys()].sort((a, b) => s[a]! - s[b]! || b - a),
    );
  }
  const plan = (ratioOf: (g: number) => number, multiple = config.channelMultiple): KeepPlan => {
    const keep: KeepPlan = new Map();
    for (const g of prunable) {
      const size = cg.size(g);
      const wanted = size - Math.min(size - 1, Math.round(size * Math.min(MAX_GROUP_RATIO, ratioOf(g))));
      const kept = Math.min(size, Math.ceil(wanted / multiple) * multiple);
      if (kept >= size) continue;
      keep.set(g, keepTop(order.get(g)!, size, kept));
    }
    return keep;
  };
  const macs0 = totalMacs(prep.model, prep.shapes);
  const macsOf = (keep: KeepPlan) => {
    const m = applyChannelPruning(prep.model, cg, keep).model;
    return totalMacs(m, inferShapes(m));
  };

  let means: Map<string, Float64Array> | undefined;
  if (config.biasCompensation) {
    ctx.progress({ phase: 'analyzing', percent: 15, message: 'channel means for bias compensation' });
    const measured = await consumerInputMeans(prep.model, cg, new Set(prunable), {
      samples: ctx.calibration,
      signal: ctx.signal,
    });
    means = measured.means;
    if (measured.random) {
      warnings.push(
        'Bias compensation used channel means measured on random inputs: give --calibration data (real inputs) ' +
          'for better fidelity.',
      );
    }
  }

  // Per-group weights: 1 for a uniform ratio; from the sensitivity scan otherwise.
  let weight = (_g: number) => 1;
  const sensitivity = new Map<number, number>();
  if (config.sensitivity) {
    ctx.progress({ phase: 'sensitivity', percent: 20, message: `${prunable.length} groups` });
    const probeRatio = config.ratio ?? 1 - Math.sqrt(config.targetMacs!);
    const scan = await scanSensitivity(
      prep.model,
      prunable,
      (g) => plan((h) => (h === g ? probeRatio : 0), 1),
      cg,
      means,
      {
        samples: ctx.calibration,
        signal: ctx.signal,
        progress: (done) =>
          ctx.progress({
            phase: 'sensitivity',
            percent: 20 + (60 * done) / prunable.length,
            message: `${done}/${prunable.length} groups`,
          }),
      },
    );
    for (const [g, db] of scan.sqnr) sensitivity.set(g, db);
    weight = sensitivityWeights(prunable, scan.sqnr);
    warnings.push(...scan.warnings);
  }

  // The MAC budget: the user's target, or what the exact uniform ratio gives, which the sensitivity scan
  // redistributes and the rounding to channel multiples must still meet.
  let scale = config.ratio ?? 0;
  const budget =
    config.targetMacs !== undefined
      ? config.targetMacs * macs0
      : config.sensitivity || config.channelMultiple > 1
        ? macsOf(plan(() => config.ratio!, 1))
        : undefined;
  if (budget !== undefined) {
    ctx.progress({ phase: 'searching', percent: 82, message: 'per-group ratios for the MAC budget' });
    let lo = 0;
    let hi = MAX_GROUP_RATIO / Math.min(...prunable.map(weight));
    if (macsOf(plan((g) => hi * weight(g))) > budget) {
      if (config.targetMacs !== undefined) {
        const best = macsOf(plan((g) => hi * weight(g))) / macs0;
        throw new AppError(
          'PRUNE_TARGET_UNREACHABLE',
          `--target-macs ${config.targetMacs} cannot be reached: removing ${MAX_GROUP_RATIO * 100}% of every ` +
            `prunable group keeps ${(best * 100).toFixed(1)}% of the MACs (the rest is in layers that cannot be ` +
            `pruned: ${blockedSummary(cg, groups)}). Ask for ${Math.ceil(best * 100) / 100} or more.`,
          { reachable: best },
        );
      }
      lo = hi;
    }
    for (let i = 0; i < 24 && hi - lo > 1e-4; i++) {
      const mid = (lo + hi) / 2;
      if (macsOf(plan((g) => mid * weight(g))) <= budget) hi = mid;
      else lo = mid;
    }
    scale = hi;
  }
  throwIfCancelled(ctx.signal);

  const ratioOf = (g: number) => Math.min(MAX_GROUP_RATIO, scale * weight(g));
  let keep = plan(ratioOf);
  let latency: ChannelPruningReport['latency'];
  const savedMs = new Map<number, number>();
  if (config.latencyAware) {
    const chosen = await allocateByLatency(
      prep.model,
      cg,
      prunable,
      keep,
      ratioOf,
      means,
      config,
      ctx,
      order,
    );
    keep = chosen.keep;
    latency = chosen.latency;
    for (const [g, ms] of chosen.savedMs) savedMs.set(g, ms);
    warnings.push(...chosen.warnings);
  }
  ctx.progress({ phase: 'pruning', percent: 90, message: `${keep.size} groups` });
  const pruned = applyChannelPruning(prep.model, cg, keep, means);
  const shapesAfter = inferShapes(pruned.model);
  checkOutputsUnchanged(prep.model, prep.shapes, shapesAfter);

  const layers = layerRows(prep.model, prep.shapes, pruned.nodes, shapesAfter, cg);
  const paramsOf = (m: ModelProto) => m.graph!.initializer.reduce((n, t) => n + tensorElementCount(t), 0);
  const report: ChannelPruningReport = {
    kind: 'channels',
    ratio: config.ratio ?? scale,
    importance: config.importance,
    groups: prunable.map((g) => {
      const size = cg.size(g);
      const kept = keep.get(g)?.length ?? size;
      return {
        producers: cg.producersOf(g).map((p) => nodeLabel(p.node)),
        channelsBefore: size,
        channelsAfter: kept,
        ratio: 1 - kept / size,
        sensitivityDb: sensitivity.has(g) ? finite(sensitivity.get(g)!) : null,
        latencySavedMs: savedMs.get(g) ?? null,
      };
    }),
    blocked: groups
      .filter((g) => !prunable.includes(g))
      .map((g) => ({
        producers: cg.producersOf(g).map((p) => nodeLabel(p.node)),
        reasons: cg.blockers(g).length > 0 ? cg.blockers(g).slice(0, 5) : ['a single channel'],
      })),
    layers,
    totals: {
      macsBefore: macs0,
      macsAfter: totalMacs(pruned.model, shapesAfter),
      paramsBefore: paramsOf(prep.model),
      paramsAfter: paramsOf(pruned.model),
    },
    ...(latency ? { latency } : {}),
  };
  ctx.progress({ phase: 'pruning', percent: 100 });
  return { model: pruned.model, prepared: prep.model, report, warnings };
}

async function runPruneChannels(
  model: ModelProto,
  config: PruneChannelsConfig,
  ctx: PassContext,
): Promise<PassResult> {
  const outcome = await pruneChannels(model, config, ctx);
  const warnings = [...outcome.warnings];
  let pruned = outcome.model;
  let training: PassReport['training'];
  if (config.fineTune) {
    const tuned = await fineTuneByDistillation(model, pruned, ctx, 'pruned', config.fineTuneEpochs);
    pruned = tuned.model;
    training = tuned.training;
    warnings.push(...tuned.warnings);
  }
  const converted: Record<string, number> = {};
  for (const l of outcome.report.layers) {
    if (l.channelsAfter !== l.channelsBefore || l.inputsAfter !== l.inputsBefore) {
      converted[l.opType] = (converted[l.opType] ?? 0) + 1;
    }
  }
  const report: Omit<PassReport, 'durationMs'> = {
    method: 'prune-channels',
    converted,
    skipped: outcome.report.blocked.flatMap((b) =>
      b.producers.map((p) => ({ node: p, opType: 'channels', reason: b.reasons.join('; ') })),
    ),
    calibration: null,
    warnings,
    pruning: outcome.report,
    ...(training ? { training } : {}),
  };
  return { model: pruned, report, quantizedTensors: [] };
}

/** The kept channels of a group at `kept`: the most important ones, in index order. */
function keepTop(order: readonly number[], size: number, kept: number): number[] {
  const dropped = new Set(order.slice(0, size - kept));
  return [...Array(size).keys()].filter((c) => !dropped.has(c));
}

/**
 * Latency-aware allocation (latency-allocation.ts): the uniform plan's channel count, spent where this machine
 * saves the most time; each group at most 30 points above its uniform share. Kept only when it measures at least 3 % faster
 * than the uniform plan side by side: otherwise the uniform plan stays and the run says so.
 */
async function allocateByLatency(
  model: ModelProto,
  cg: ChannelGraph,
  prunable: readonly number[],
  uniform: KeepPlan,
  ratioOf: (g: number) => number,
  means: ReadonlyMap<string, Float64Array> | undefined,
  config: PruneChannelsConfig,
  ctx: Pick<PassContext, 'signal' | 'progress' | 'calibration'>,
  order: ReadonlyMap<number, number[]>,
): Promise<{
  keep: KeepPlan;
  latency: NonNullable<ChannelPruningReport['latency']>;
  savedMs: Map<number, number>;
  warnings: string[];
}> {
  const candidates = new Map<number, { size: number; counts: number[] }>();
  let removeAtLeast = 0;
  for (const g of prunable) {
    const size = cg.size(g);
    removeAtLeast += size - (uniform.get(g)?.length ?? size);
    const maxRatio = Math.min(MAX_GROUP_RATIO, ratioOf(g) + 0.3);
    // The uniform count is always a candidate, so the uniform plan itself is in the search space.
    const counts = new Set(candidateCounts(size, config.channelMultiple, maxRatio));
    if (uniform.has(g)) counts.add(uniform.get(g)!.length);
    candidates.set(g, { size, counts: [...counts].sort((a, b) => b - a) });
  }
  const keepFor = (g: number, kept: number): KeepPlan =>
    new Map([[g, keepTop(order.get(g)!, cg.size(g), kept)]]);
  const scan = await scanLatency(model, candidates, keepFor, cg, means, {
    samples: ctx.calibration,
    signal: ctx.signal,
    progress: (done, total) =>
      ctx.progress({
        phase: 'searching',
        percent: 82 + (6 * done) / total,
        message: `timing channel counts on this machine: ${done}/${total}`,
      }),
  });
  // The plan may remove a little more than the uniform one (a block of channels, or 5 % of them): counts come in
  // steps, and exactly the same number is rarely reachable with faster counts.
  const total = prunable.reduce((n, g) => n + cg.size(g), 0);
  const counts = chooseCounts(scan.table, removeAtLeast, Math.max(config.channelMultiple, 0.05 * total));
  const chosen: KeepPlan = new Map();
  for (const [g, kept] of counts) chosen.set(g, keepTop(order.get(g)!, cg.size(g), kept));
  const savedMs = new Map<number, number>();
  for (const row of scan.table) {
    const kept = chosen.get(row.group)?.length ?? row.size;
    const option = row.options.find((o) => o.kept === kept);
    savedMs.set(row.group, kept === row.size ? 0 : (option?.savedMs ?? 0));
  }
  ctx.progress({ phase: 'searching', percent: 88, message: 'latency-aware plan against the uniform one' });
  const againstUniform = await latencyRatio(
    applyChannelPruning(model, cg, uniform, means).model,
    applyChannelPruning(model, cg, chosen, means).model,
    ctx.calibration,
    ctx.signal,
  );
  const base = { baseMs: scan.baseMs, againstUniform, measurements: scan.measurements };
  if (againstUniform > 0.97) {
    return {
      keep: uniform,
      latency: { allocation: 'uniform', ...base },
      savedMs: new Map(),
      warnings: [
        `Latency-aware allocation ran ${(againstUniform * 100).toFixed(0)} % of the uniform plan's time on this ` +
          'machine (not 3 % faster): the uniform ratio was kept.',
      ],
    };
  }
  return {
    keep: chosen,
    latency: { allocation: 'latency-aware', ...base },
    savedMs,
    warnings: [],
  };
}

const finite = (v: number) => (Number.isFinite(v) ? v : 200);

/**
 * Weights around 1 from each group's output SQNR when pruned alone: rank-based (robust to the dB scale),
 * from 1.6 for the least sensitive group to 0.4 for the most sensitive.
 */
function sensitivityWeights(groups: number[], sqnr: ReadonlyMap<number, number>): (g: number) => number {
  const ranked = [...groups].sort((a, b) => (sqnr.get(a) ?? 0) - (sqnr.get(b) ?? 0));
  const w = new Map<number, number>();
  ranked.forEach((g, i) => w.set(g, ranked.length === 1 ? 1 : 0.4 + (1.2 * i) / (ranked.length - 1)));
  return (g) => w.get(g) ?? 1;
}

export function totalMacs(model: ModelProto, shapes: ReadonlyMap<string, ValueShape>): number {
  let n = 0;
  for (const node of model.graph?.node ?? []) n += nodeMacs(node, shapes) ?? 0;
  return n;
}

function checkOutputsUnchanged(
  model: ModelProto,
  before: ReadonlyMap<string, ValueShape>,
  after: ReadonlyMap<string, ValueShape>,
): void {
  for (const o of model.graph!.output) {
    const a = JSON.stringify(before.get(o.name)?.shape ?? null);
    const b = JSON.stringify(after.get(o.name)?.shape ?? null);
    if (a !== b) {
      throw new AppError(
        'INTERNAL',
        `Pruning changed the shape of graph output '${o.name}' (${a} → ${b}): please report it with the model.`,
      );
    }
  }
}

function layerRows(
  model: ModelProto,
  shapesBefore: ReadonlyMap<string, ValueShape>,
  nodes: Map<NodeProto, NodeProto>,
  shapesAfter: ReadonlyMap<string, ValueShape>,
  cg: ChannelGraph,
): PrunedLayer[] {
  const rows: PrunedLayer[] = [];
  for (const node of model.graph!.node) {
    if (node.opType !== 'Conv' && node.opType !== 'Gemm' && node.opType !== 'MatMul') continue;
    const w = cg.constants.get(node.input[1] ?? '')?.tensor;
    if (!w || w.dims.length < 2) continue;
    const pruned = nodes.get(node)!;
    const dims = (name: string | undefined, fromAfter: boolean): number[] => {
      if (!name) return [];
      const shape = (fromAfter ? shapesAfter : shapesBefore).get(name)?.shape;
      return shape ? shape.map((d) => (typeof d === 'number' ? d : 1)) : [];
    };
    const params = (n: NodeProto, fromAfter: boolean) =>
      n.input.slice(1).reduce((s, i) => s + dims(i, fromAfter).reduce((a, d) => a * d, i ? 1 : 0), 0);
    const io = (n: NodeProto, fromAfter: boolean) => {
      const wd = dims(n.input[1], fromAfter);
      const transB = n.opType === 'Gemm' && n.attribute.some((a) => a.name === 'transB' && a.i === 1n);
      if (n.opType === 'Conv') return { out: wd[0] ?? 0, in: wd[1] ?? 0 };
      return transB ? { out: wd[0] ?? 0, in: wd[1] ?? 0 } : { out: wd[1] ?? 0, in: wd[0] ?? 0 };
    };
    const b = io(node, false);
    const a = io(pruned, true);
    rows.push({
      node: nodeLabel(node),
      opType: node.opType,
      channelsBefore: b.out,
      channelsAfter: a.out,
      inputsBefore: b.in,
      inputsAfter: a.in,
      macsBefore: nodeMacs(node, shapesBefore) ?? null,
      macsAfter: nodeMacs(pruned, shapesAfter) ?? null,
      paramsBefore: params(node, false),
      paramsAfter: params(pruned, true),
    });
  }
  return rows;
}

function blockedSummary(cg: ChannelGraph, groups: number[]): string {
  const reasons = new Set<string>();
  for (const g of groups) for (const r of cg.blockers(g)) reasons.add(r);
  const list = [...reasons];
  return list.length === 0 ? 'none' : `${list.slice(0, 6).join('; ')}${list.length > 6 ? '; …' : ''}`;
}

/** No group can be pruned: say which ops or outputs hold each one. */
function nothingToPrune(cg: ChannelGraph, groups: number[]): AppError {
  if (groups.length === 0) {
    return new AppError(
      'NOTHING_TO_PRUNE',
      'Nothing to prune: the model has no Conv, Gemm or 2-D MatMul with constant float32 weights whose output ' +
        'channels could be removed.',
    );
  }
  const outputs = groups.every((g) => cg.blockers(g).some((r) => r.startsWith('graph output')));
  if (outputs) {
    return new AppError(
      'PRUNE_OUTPUT_CHANNELS',
      `Nothing to prune: every channel group reaches a graph output directly (${blockedSummary(cg, groups)}). ` +
        "Those channels are the model's interface, so removing any would change its output shape.",
      { groups: groups.length },
    );
  }
  return new AppError(
    'NOTHING_TO_PRUNE',
    `No channel group can be pruned; they are held by: ${blockedSummary(cg, groups)}. ` +
      'Ops that mix or reorder channels (Reshape, Transpose, Softmax, grouped convolutions …) or a graph output ' +
      'fix the channel count of everything joined to them.',
    { groups: groups.length },
  );
}
