import type { CpuFeature } from '../../../../shared/schemas/fleet';
import type { CoreCluster } from '../../../../shared/schemas/bench';

/**
 * Theoretical peaks: cores × GHz × operations per cycle. Operations per cycle come from the SIMD width and
 * the number of FMA / dot-product pipes, as the vendors' optimization guides give them. An FMA counts 2 FLOPs,
 * an int8 multiply-accumulate 2 ops.
 */

export type CoreRates = {
  fp32FlopsPerCycle: number;
  int8OpsPerCycle: number;
  relativeIpc: number;
  note: string;
};

/**
 * Arm cores (Arm Software Optimization Guides; per-cycle FLOPs as in Wikipedia's "FLOPS" table):
 * - Cortex-A53/A55: one 128-bit NEON FMA per cycle → 4 lanes × 2 = 8 fp32 FLOP/cycle. A53 has no dot product;
 *   its int8 path (widening multiply + pairwise add, as MLAS uses on Armv8.0) is assumed 2× the fp32 rate.
 *   A55 has SDOT/UDOT: 16 int8 MACs per 128-bit instruction, one per cycle → 32 ops/cycle.
 * - Cortex-A57/A72: 8 fp32 FLOP/cycle (the Q-form FMLA issues once per cycle), int8 without dot product → 16.
 * - Cortex-A76/A78/Neoverse-N1: two 128-bit FMA pipes → 16 fp32 FLOP/cycle; SDOT on both pipes → 64 ops/cycle.
 */
export const armCoreRates: Record<string, CoreRates> = {
  'Cortex-A53': { fp32FlopsPerCycle: 8, int8OpsPerCycle: 16, relativeIpc: 0.35, note: 'in-order, Armv8.0' },
  'Cortex-A55': {
    fp32FlopsPerCycle: 8,
    int8OpsPerCycle: 32,
    relativeIpc: 0.4,
    note: 'in-order, Armv8.2 + dotprod',
  },
  'Cortex-A57': {
    fp32FlopsPerCycle: 8,
    int8OpsPerCycle: 16,
    relativeIpc: 0.5,
    note: 'out-of-order, Armv8.0',
  },
  'Cortex-A72': {
    fp32FlopsPerCycle: 8,
    int8OpsPerCycle: 16,
    relativeIpc: 0.55,
    note: 'out-of-order, Armv8.0',
  },
  'Cortex-A73': {
    fp32FlopsPerCycle: 8,
    int8OpsPerCycle: 16,
    relativeIpc: 0.55,
    note: 'out-of-order, Armv8.0',
  },
  'Cortex-A75': { fp32FlopsPerCycle: 8, int8OpsPerCycle: 32, relativeIpc: 0.65, note: 'Armv8.2 + dotprod' },
  'Cortex-A76': {
    fp32FlopsPerCycle: 16,
    int8OpsPerCycle: 64,
    relativeIpc: 0.8,
    note: '2×128-bit FMA, dotprod',
  },
  'Cortex-A77': {
    fp32FlopsPerCycle: 16,
    int8OpsPerCycle: 64,
    relativeIpc: 0.85,
    note: '2×128-bit FMA, dotprod',
  },
  'Cortex-A78': {
    fp32FlopsPerCycle: 16,
    int8OpsPerCycle: 64,
    relativeIpc: 0.85,
    note: '2×128-bit FMA, dotprod',
  },
  'Cortex-A78AE': {
    fp32FlopsPerCycle: 16,
    int8OpsPerCycle: 64,
    relativeIpc: 0.85,
    note: '2×128-bit FMA, dotprod',
  },
  'Neoverse-N1': {
    fp32FlopsPerCycle: 16,
    int8OpsPerCycle: 64,
    relativeIpc: 0.8,
    note: '2×128-bit FMA, dotprod',
  },
  'Cortex-X1': {
    fp32FlopsPerCycle: 32,
    int8OpsPerCycle: 128,
    relativeIpc: 0.95,
    note: '4×128-bit FMA, dotprod',
  },
};

/**
 * x86 from the ISA flags (Intel/AMD optimization manuals):
 * - AVX-512 server cores: two 512-bit FMA ports → 64 fp32 FLOP/cycle; AVX-512 VNNI VPDPBUSD on both → 64 MACs ×
 *   2 ports × 2 = 256 int8 ops/cycle. (AMX tiles are not assumed: MLAS uses them only for some shapes.)
 * - AVX2 + FMA: two 256-bit FMA ports → 32 FLOP/cycle; int8 via VPMADDUBSW + VPMADDWD ≈ 2× fp32 → 64, or with
 *   AVX-VNNI (256-bit VPDPBUSD, two ports) → 128.
 * - AVX without FMA: 16; SSE only: 8.
 */
export function x86Rates(features: readonly CpuFeature[]): CoreRates {
  const has = (f: CpuFeature) => features.includes(f);
  if (has('avx512f')) {
    return {
      fp32FlopsPerCycle: 64,
      int8OpsPerCycle: has('vnni') ? 256 : 128,
      relativeIpc: 1,
      note: `AVX-512 (2 FMA ports assumed)${has('vnni') ? ' + VNNI' : ''}`,
    };
  }
  if (has('avx2') && has('fma')) {
    return {
      fp32FlopsPerCycle: 32,
      int8OpsPerCycle: has('vnni') ? 128 : 64,
      relativeIpc: 1,
      note: `AVX2 + FMA${has('vnni') ? ' + AVX-VNNI' : ''}`,
    };
  }
  if (has('avx')) return { fp32FlopsPerCycle: 16, int8OpsPerCycle: 32, relativeIpc: 0.8, note: 'AVX' };
  return { fp32FlopsPerCycle: 8, int8OpsPerCycle: 16, relativeIpc: 0.7, note: 'SSE' };
}

/** Rates of an Arm core not in the table: from its features (dotprod → A76-like pipes is NOT assumed). */
export function armRatesFromFeatures(features: readonly CpuFeature[]): CoreRates {
  return {
    fp32FlopsPerCycle: 8,
    int8OpsPerCycle: features.includes('dotprod') ? 32 : 16,
    relativeIpc: 0.5,
    note: 'unknown Arm core: one 128-bit FMA pipe assumed',
  };
}

export type Peaks = {
  peakGflopsFp32PerThread: number;
  peakGflopsFp32: number;
  peakGopsInt8PerThread: number;
  peakGopsInt8: number;
};

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Peaks of a chip from its clusters (fastest cluster first gives the per-thread peak). */
export function peaksFromClusters(clusters: readonly CoreCluster[]): Peaks {
  let fp32 = 0;
  let int8 = 0;
  let fp32Thread = 0;
  let int8Thread = 0;
  for (const c of clusters) {
    fp32 += c.count * c.clockGHz * c.fp32FlopsPerCycle;
    int8 += c.count * c.clockGHz * c.int8OpsPerCycle;
    fp32Thread = Math.max(fp32Thread, c.clockGHz * c.fp32FlopsPerCycle);
    int8Thread = Math.max(int8Thread, c.clockGHz * c.int8OpsPerCycle);
  }
  return {
    peakGflopsFp32PerThread: round1(fp32Thread),
    peakGflopsFp32: round1(fp32),
    peakGopsInt8PerThread: round1(int8Thread),
    peakGopsInt8: round1(int8),
  };
}

/**
 * Per-thread peaks of the `threads` fastest cores, summed: ORT's thread pool hands out work in small chunks, so
 * faster cores take more of it (big.LITTLE adds up rather than waiting for the slowest core).
 */
export function peakForThreads(
  clusters: readonly CoreCluster[],
  threads: number,
  precision: 'fp32' | 'int8',
): number {
  const perCore = clusters
    .flatMap((c) =>
      Array.from({ length: c.count }, () =>
        precision === 'fp32' ? c.clockGHz * c.fp32FlopsPerCycle : c.clockGHz * c.int8OpsPerCycle,
      ),
    )
    .sort((a, b) => b - a);
  return perCore.slice(0, Math.max(1, threads)).reduce((n, x) => n + x, 0);
}
