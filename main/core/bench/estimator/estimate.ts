import type { Estimate, HardwareProfile } from '../../../../shared/schemas/bench';
import { tensorDataByteLength } from '../../onnx';
import type { ModelAnalysis } from './analyze-model';
import { predictLatency } from './latency-model';
import type { MemoryNeed } from './memory-need';
import { arenaGrowth, memoryNeed, weightCopies } from './memory-need';
import type { NodeCost } from './node-cost';
import { nodeCosts } from './node-cost';
import { efficiencies, ratesFor } from './rates';
import { variantTraits } from './variant-traits';
import { estimateWarnings } from './warnings';

/** The band reported around every estimate: the estimator's target median error. */
export const estimatorErrorBand = 0.35;

/** Per-kernel costs and memory of one analysed variant: computed once, priced per profile. */
export type CostedModel = {
  analysis: ModelAnalysis;
  costs: NodeCost[];
  /** Graph input and output bytes (copied into and out of the runtime on every run). */
  ioBytes: number;
  need: MemoryNeed;
};

export function costModel(analysis: ModelAnalysis): CostedModel {
  const graph = analysis.model.graph;
  const initializers = new Set(graph?.initializer.map((t) => t.name) ?? []);
  const io = [
    ...(graph?.input ?? []).filter((vi) => !initializers.has(vi.name)),
    ...(graph?.output ?? []),
  ].reduce((n, vi) => {
    const s = analysis.shapes.get(vi.name);
    return (
      n +
      (s
        ? tensorDataByteLength(
            s.elemType,
            s.dims.reduce((a, d) => a * d, 1),
          )
        : 0)
    );
  }, 0);
  return {
    analysis,
    costs: nodeCosts(analysis.model, analysis.shapes),
    ioBytes: io,
    need: memoryNeed(analysis.model, analysis.shapes),
  };
}

type EstimateContext = {
  /** "This machine" with its calibration (`measured`). */
  machine: HardwareProfile;
  /** measured ÷ estimated from device runs of this profile. */
  correction?: { factor: number; basedOn: number } | null;
};

const round = (x: number, digits = 4) => Number(x.toPrecision(digits));

/** Predicted latency, memory need and warnings of one variant on one profile. */
export function estimateOn(
  costed: CostedModel,
  profile: HardwareProfile,
  threads: number,
  ctx: EstimateContext,
): Estimate {
  const rates = ratesFor(profile, threads, ctx.machine);
  const latency = predictLatency(costed.costs, rates, costed.ioBytes);
  const factor = ctx.correction?.factor ?? 1;
  const latencyMs = latency.totalMs * factor;
  const traits = variantTraits(costed.analysis.original, latency.macs, latency.int8Macs);
  const runtimeOverheadBytes = ctx.machine.measured?.runtimeBaselineBytes ?? 0;
  const totalBytes = Math.round(
    runtimeOverheadBytes +
      costed.need.weightsBytes * weightCopies +
      costed.need.peakActivationBytes * arenaGrowth,
  );
  const ramBytes = profile.ramGB * 1024 ** 3;
  const memory = {
    weightsBytes: costed.need.weightsBytes,
    peakActivationBytes: costed.need.peakActivationBytes,
    runtimeOverheadBytes,
    totalBytes,
    ramBytes,
    fits: totalBytes <= ramBytes,
  };
  const eff = efficiencies(ctx.machine);
  return {
    profileId: profile.id,
    threads: rates.threads,
    latencyMs: round(latencyMs),
    lowMs: round(latencyMs * (1 - estimatorErrorBand)),
    highMs: round(latencyMs * (1 + estimatorErrorBand)),
    breakdown: {
      computeBoundMs: round(latency.computeBoundMs * factor),
      memoryBoundMs: round(latency.memoryBoundMs * factor),
      overheadMs: round(latency.overheadMs * factor),
    },
    gmacs: round(latency.macs / 1e9),
    memory,
    traits,
    calibration: {
      fp32Efficiency: round(eff.fp32, 3),
      int8Efficiency: round(eff.int8, 3),
      measuredAt: ctx.machine.measured?.measuredAt ?? '',
    },
    correction: ctx.correction ?? null,
    warnings: estimateWarnings({
      profile,
      traits,
      memory,
      requestedThreads: threads,
      unknownCostNodes: latency.unknownCostNodes,
    }),
    unknownCostNodes: latency.unknownCostNodes,
  };
}
