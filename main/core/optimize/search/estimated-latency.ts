/**
 * `--target PROFILE`: latency of the parent and every candidate on a hardware profile, from the benchmark
 * estimator's per-op model (ORT's optimized graph of each file, costed node by node at the profile's rates,
 * calibrated against this machine and corrected by device runs of that profile where there were any). The
 * search then ranks by these figures and says they are estimates.
 */
import type { BenchInput, HardwareProfile } from '../../../../shared/schemas/bench';
import { analyzeModel } from '../../bench/estimator/analyze-model';
import { costModel, estimateOn } from '../../bench/estimator/estimate';
import type { Sample } from '../types';

export type AutoTarget = {
  profile: HardwareProfile;
  /** This machine, calibrated: the estimator's reference. */
  machine: HardwareProfile;
  correction: { factor: number; basedOn: number } | null;
};

export function inputsOf(sample: Sample): BenchInput[] {
  return Object.entries(sample).map(([name, t]) => ({
    name,
    dtype: t.type as BenchInput['dtype'],
    dims: [...t.dims],
  }));
}

export async function estimateLatencies(
  parent: Uint8Array,
  candidates: readonly { id: string; bytes: Uint8Array }[],
  target: AutoTarget,
  inputs: readonly BenchInput[],
  opts: { tmpRoot: string; signal?: AbortSignal },
): Promise<{ parentMs: number; ms: Map<string, number> }> {
  const estimate = async (bytes: Uint8Array, label: string) => {
    const analysis = await analyzeModel(bytes, inputs, {
      label,
      level: 'all',
      tmpRoot: opts.tmpRoot,
      signal: opts.signal,
    });
    return estimateOn(costModel(analysis), target.profile, target.profile.cores, {
      machine: target.machine,
      correction: target.correction,
    }).latencyMs;
  };
  const parentMs = await estimate(parent, 'parent');
  const ms = new Map<string, number>();
  for (const c of candidates) ms.set(c.id, await estimate(c.bytes, c.id));
  return { parentMs, ms };
}
