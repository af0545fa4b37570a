import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, totalmem } from 'node:os';
import type {
  CoreCluster,
  HardwareProfile,
  MeasuredPeaks,
  ProfileArch,
} from '../../../../shared/schemas/bench';
import { hardwareProfileSchema } from '../../../../shared/schemas/bench';
import { parseCpuInfo } from '../../fleet/probe/cpu-info';
import type { CoreRates } from './peak-math';
import { armCoreRates, armRatesFromFeatures, peaksFromClusters, x86Rates } from './peak-math';

/**
 * "This machine" as a profile: cores, clock and ISA features from /proc/cpuinfo (the probe's parser), theoretical
 * peaks from the same per-core rates as the catalog, and the figures the calibration measured with ORT. Its
 * memory bandwidth is the measured streaming rate (the DRAM configuration cannot be read without root tools).
 */

export const thisMachineId = 'this-machine';

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Max clock in GHz: cpufreq when the kernel exposes it, else cpuinfo's "cpu MHz", else Node's figure. */
function cpuClockGHz(cpuinfo: string): number | null {
  const khz = Number(readText('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq')?.trim());
  if (Number.isFinite(khz) && khz > 0) return khz / 1e6;
  const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1];
  if (mhz !== undefined && Number(mhz) > 0) return Number(mhz) / 1000;
  const speed = cpus()[0]?.speed;
  return speed !== undefined && speed > 0 ? speed / 1000 : null;
}

/** Last-level cache in MB from cpuinfo's "cache size" (x86) or sysfs. */
function llcMB(cpuinfo: string): number | undefined {
  const kb = /^cache size\s*:\s*(\d+)\s*KB/m.exec(cpuinfo)?.[1];
  if (kb !== undefined) return Number(kb) / 1024;
  for (const index of [3, 2]) {
    const size = readText(`/sys/devices/system/cpu/cpu0/cache/index${index}/size`)?.trim();
    const m = size ? /^(\d+)([KM])$/.exec(size) : null;
    if (m?.[1] !== undefined) return m[2] === 'M' ? Number(m[1]) : Number(m[1]) / 1024;
  }
  return undefined;
}

function profileArch(): ProfileArch {
  const a = arch();
  return a === 'arm64' ? 'arm64' : a === 'arm' ? 'armv7' : 'x86_64';
}

export function thisMachineProfile(measured: MeasuredPeaks): HardwareProfile {
  const cpuinfo = readText('/proc/cpuinfo') ?? '';
  const info = parseCpuInfo(cpuinfo);
  const cores = Math.max(1, availableParallelism());
  const clock = cpuClockGHz(cpuinfo);
  const archName = profileArch();
  let rates: CoreRates;
  if (archName === 'x86_64') rates = x86Rates(info.features);
  else rates = armCoreRates[info.model ?? ''] ?? armRatesFromFeatures(info.features);
  const assumptions: string[] = [];
  const clockGHz = clock ?? 2;
  if (clock === null) assumptions.push('Clock unknown: 2 GHz assumed for the theoretical peaks.');
  const cluster: CoreCluster = {
    core: info.model ?? 'unknown',
    count: cores,
    clockGHz: Math.round(clockGHz * 1000) / 1000,
    fp32FlopsPerCycle: rates.fp32FlopsPerCycle,
    int8OpsPerCycle: rates.int8OpsPerCycle,
  };
  const llc = llcMB(cpuinfo);
  return hardwareProfileSchema.parse({
    id: thisMachineId,
    name: 'This machine',
    description: `Measured with ONNX Runtime ${measured.ortVersion} at ${measured.measuredAt}.`,
    origin: 'measured',
    arch: archName,
    cpuModel: `${cores}× ${info.model ?? 'unknown CPU'} @ ${clockGHz.toFixed(2)} GHz`,
    cores,
    clockGHz: cluster.clockGHz,
    clusters: [cluster],
    features: info.features,
    ...peaksFromClusters([cluster]),
    memoryBandwidthGBs: measured.bandwidthGBs,
    ramGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    llcMB: llc,
    relativeIpc: rates.relativeIpc,
    sources: {
      cpuModel: '/proc/cpuinfo (model name / CPU part), os.availableParallelism()',
      clockGHz:
        clock === null
          ? 'assumption (no clock reported)'
          : 'cpufreq cpuinfo_max_freq, else /proc/cpuinfo "cpu MHz"',
      features: '/proc/cpuinfo flags, normalized by the device probe',
      peakGflopsFp32: `cores × GHz × ${rates.fp32FlopsPerCycle} FLOP/cycle (${rates.note})`,
      peakGopsInt8: `cores × GHz × ${rates.int8OpsPerCycle} ops/cycle (${rates.note})`,
      memoryBandwidthGBs: 'measured: ORT streaming element-wise ops (cache-sized working set)',
      ramGB: 'os.totalmem()',
      llcMB: '/proc/cpuinfo "cache size", else sysfs cache index3/index2',
      measured: 'ORT micro-benchmarks (calibration.ts)',
    },
    assumptions,
    measured,
  });
}
