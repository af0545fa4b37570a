import type { NodeCost } from './node-cost';
import type { MachineRates } from './rates';
import { bandwidthAt } from './rates';

/**
 * Roofline per kernel: time = max(compute ÷ throughput, bytes ÷ bandwidth) + per-kernel overhead; the run adds a
 * fixed per-call overhead and the copies of the graph inputs and outputs.
 */

type LatencyPrediction = {
  totalMs: number;
  computeBoundMs: number;
  memoryBoundMs: number;
  overheadMs: number;
  macs: number;
  int8Macs: number;
  unknownCostNodes: number;
};

export function predictLatency(
  costs: readonly NodeCost[],
  rates: MachineRates,
  ioBytes: number,
): LatencyPrediction {
  let compute = 0;
  let memory = 0;
  let overhead = rates.runOverheadUs / 1000;
  let macs = 0;
  let int8Macs = 0;
  let unknown = 0;
  for (const c of costs) {
    if (!c.known) unknown++;
    overhead += rates.kernelOverheadUs / 1000;
    if (c.kind === 'free') continue;
    macs += c.macs;
    if (c.precision === 'int8') int8Macs += c.macs;
    const rate =
      c.kind === 'matmul'
        ? rates.matmulGflops[c.precision]
        : c.kind === 'conv'
          ? rates.convGflops[c.precision]
          : c.kind === 'depthwise'
            ? rates.depthwiseGflops
            : c.kind === 'move'
              ? Number.POSITIVE_INFINITY
              : rates.vectorGops;
    const computeMs = c.ops / (rate * 1e6);
    const memoryMs = c.bytes / (bandwidthAt(rates, c.bytes) * 1e6);
    if (computeMs >= memoryMs) compute += computeMs;
    else memory += memoryMs;
  }
  memory += ioBytes / (bandwidthAt(rates, ioBytes) * 1e6);
  return {
    totalMs: compute + memory + overhead,
    computeBoundMs: compute,
    memoryBoundMs: memory,
    overheadMs: overhead,
    macs,
    int8Macs,
    unknownCostNodes: unknown,
  };
}
