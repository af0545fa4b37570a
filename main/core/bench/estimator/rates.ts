import { AppError } from '../../../../shared/errors';
import type { HardwareProfile, MeasuredPeaks } from '../../../../shared/schemas/bench';
import { peakForThreads } from '../profiles/peak-math';

/**
 * The throughputs the roofline uses for one profile at one thread count, and how they follow from this machine's
 * calibration. For "this machine" they are the measured figures themselves; for any other profile they are its
 * theoretical peaks × the efficiency ORT reached here (achieved ÷ theoretical), as the issue asks.
 *
 * Assumptions (documented in bench/README.md):
 * - Element-wise/vector kernels reach a quarter of the fp32 GEMM rate (no FMA pairing, little reuse).
 * - Bandwidth depends on a kernel's working set (its bytes): a curve through a few points, interpolated on a log
 *   scale. On this machine the points are measured (256 KB and 32 MB of streaming element-wise ops); DRAM,
 *   beyond the last-level cache, is taken as a third of the 32 MB rate. On other profiles: DRAM delivers 60 % of
 *   its theoretical bandwidth (typical STREAM ÷ peak on LPDDR4/DDR4 boards), a working set within the LLC moves
 *   3× faster, and one of 256 KB faster again by the ratio measured here (bounded to 1–4×).
 * - Per-kernel and per-run overheads scale with scalar speed: clock × relativeIpc.
 */

export type MachineRates = {
  threads: number;
  matmulGflops: { fp32: number; int8: number; fp16: number };
  convGflops: { fp32: number; int8: number; fp16: number };
  depthwiseGflops: number;
  /** Element operations per second / 1e9, for vector kernels. */
  vectorGops: number;
  /** Bandwidth by working-set size: points sorted by bytes (log-linear in between, flat outside). */
  bandwidthCurve: { bytes: number; GBs: number }[];
  kernelOverheadUs: number;
  runOverheadUs: number;
};

const dramEfficiency = 0.6;
const cacheSpeedup = 3;
/** Working sets of the two calibration streaming runs (bytes one kernel reads + writes). */
const smallWorkingSetBytes = 256 * 1024;
const largeWorkingSetBytes = 32 * 1024 ** 2;
const defaultLlcBytes = 1024 ** 2;
const vectorShareOfGemm = 0.25;
const minEfficiency = 0.05;

/** Theoretical peak of `threads` cores of a profile (clusters when known, else per-thread × threads). */
function profilePeak(profile: HardwareProfile, threads: number, precision: 'fp32' | 'int8'): number {
  const t = Math.max(1, Math.min(threads, profile.cores));
  if (profile.clusters) return peakForThreads(profile.clusters, t, precision);
  const perThread = precision === 'fp32' ? profile.peakGflopsFp32PerThread : profile.peakGopsInt8PerThread;
  const total = precision === 'fp32' ? profile.peakGflopsFp32 : profile.peakGopsInt8;
  return Math.min(total, perThread * t);
}

type Efficiencies = {
  fp32: number;
  int8: number;
  fp32Conv: number;
  int8Conv: number;
  depthwise: number;
};

/** Achieved ÷ theoretical on this machine, clamped to [0.05, 1] (depthwise: [0.005, 1]). */
export function efficiencies(machine: HardwareProfile): Efficiencies {
  const m = requireMeasured(machine);
  const clamp = (x: number, lo = minEfficiency) => Math.min(1, Math.max(lo, x));
  const fp32Peak = profilePeak(machine, m.threads, 'fp32');
  const int8Peak = profilePeak(machine, m.threads, 'int8');
  return {
    fp32: clamp(m.fp32Gflops / fp32Peak),
    int8: clamp(m.int8Gops / int8Peak),
    fp32Conv: clamp(m.fp32ConvGflops / fp32Peak),
    int8Conv: clamp(m.int8ConvGops / int8Peak),
    depthwise: clamp(m.depthwiseGflops / fp32Peak, 0.005),
  };
}

function requireMeasured(machine: HardwareProfile): MeasuredPeaks {
  if (!machine.measured) {
    throw new AppError('INTERNAL', `Profile ${machine.id} has no measurements to calibrate with.`);
  }
  return machine.measured;
}

const scalarSpeed = (p: HardwareProfile) => p.clockGHz * p.relativeIpc;

export function ratesFor(profile: HardwareProfile, threads: number, machine: HardwareProfile): MachineRates {
  const m = requireMeasured(machine);
  const t = Math.max(1, Math.min(threads, profile.cores));
  const llc = profile.llcMB === undefined ? defaultLlcBytes : profile.llcMB * 1024 ** 2;
  if (profile.measured && profile.id === machine.id) {
    // This machine: measured at m.threads; another thread count scales with the theoretical peak.
    const scale = (precision: 'fp32' | 'int8') =>
      profilePeak(profile, t, precision) / profilePeak(profile, m.threads, precision);
    const fp32 = m.fp32Gflops * scale('fp32');
    const fp32Conv = m.fp32ConvGflops * scale('fp32');
    const large = Math.max(llc, largeWorkingSetBytes);
    return {
      threads: t,
      matmulGflops: { fp32, int8: m.int8Gops * scale('int8'), fp16: fp32 },
      convGflops: { fp32: fp32Conv, int8: m.int8ConvGops * scale('int8'), fp16: fp32Conv },
      depthwiseGflops: m.depthwiseGflops * scale('fp32'),
      vectorGops: fp32 * vectorShareOfGemm,
      bandwidthCurve: [
        { bytes: smallWorkingSetBytes, GBs: Math.max(m.smallBandwidthGBs, m.bandwidthGBs) },
        { bytes: largeWorkingSetBytes, GBs: m.bandwidthGBs },
        ...(large > largeWorkingSetBytes ? [{ bytes: large, GBs: m.bandwidthGBs }] : []),
        { bytes: 2 * large, GBs: m.bandwidthGBs / cacheSpeedup },
      ],
      kernelOverheadUs: m.kernelOverheadUs,
      runOverheadUs: m.runOverheadUs,
    };
  }
  const eff = efficiencies(machine);
  const fp32Peak = profilePeak(profile, t, 'fp32');
  const int8Peak = profilePeak(profile, t, 'int8');
  const fp32 = fp32Peak * eff.fp32;
  const dram = profile.memoryBandwidthGBs * dramEfficiency;
  const cache = dram * cacheSpeedup;
  const l2Ratio = Math.min(4, Math.max(1, m.smallBandwidthGBs / m.bandwidthGBs));
  const slower = scalarSpeed(machine) / scalarSpeed(profile);
  const llcPoint = Math.max(llc, 2 * smallWorkingSetBytes);
  return {
    threads: t,
    matmulGflops: { fp32, int8: int8Peak * eff.int8, fp16: fp32 },
    convGflops: {
      fp32: fp32Peak * eff.fp32Conv,
      int8: int8Peak * eff.int8Conv,
      fp16: fp32Peak * eff.fp32Conv,
    },
    depthwiseGflops: fp32Peak * eff.depthwise,
    vectorGops: fp32 * vectorShareOfGemm,
    bandwidthCurve: [
      { bytes: smallWorkingSetBytes, GBs: cache * l2Ratio },
      { bytes: llcPoint, GBs: cache },
      { bytes: 2 * llcPoint, GBs: dram },
    ],
    kernelOverheadUs: m.kernelOverheadUs * slower,
    runOverheadUs: m.runOverheadUs * slower,
  };
}

/** Bandwidth for a kernel moving `bytes`: the curve, log-linear between its points, flat beyond them. */
export function bandwidthAt(rates: MachineRates, bytes: number): number {
  const curve = rates.bandwidthCurve;
  const first = curve[0];
  const last = curve[curve.length - 1];
  if (!first || !last) return 1;
  if (bytes <= first.bytes) return first.GBs;
  if (bytes >= last.bytes) return last.GBs;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1];
    const b = curve[i];
    if (!a || !b || bytes > b.bytes) continue;
    const f = Math.log(bytes / a.bytes) / Math.log(b.bytes / a.bytes);
    return Math.exp(Math.log(a.GBs) + f * (Math.log(b.GBs) - Math.log(a.GBs)));
  }
  return last.GBs;
}
