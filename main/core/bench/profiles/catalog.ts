import type { CoreCluster, HardwareProfile, HardwareProfileInput } from '../../../../shared/schemas/bench';
import { hardwareProfileSchema } from '../../../../shared/schemas/bench';
import { armCoreRates, peaksFromClusters } from './peak-math';

/**
 * Built-in hardware profiles of common edge targets (CPU only: NPUs and GPUs are not what ORT's CPU EP uses).
 *
 * Values come from vendor datasheets and product briefs as cited in each profile's `sources` (no network was used
 * to write this file: figures are as published at the time, from memory of those documents). Peaks follow
 * peak = Σ clusters (cores × GHz × ops/cycle) with the per-core rates of peak-math.ts. Memory bandwidth is the
 * theoretical figure (transfers/s × bus width); the estimator applies an efficiency to it.
 */

const peakFormula =
  'peak = Σ cores × GHz × ops/cycle (peak-math.ts: FMA = 2 FLOPs, int8 MAC = 2 ops); per thread = fastest core';

function cluster(core: string, count: number, clockGHz: number): CoreCluster {
  const rates = armCoreRates[core];
  if (!rates) throw new Error(`no rates for ${core}`);
  return {
    core,
    count,
    clockGHz,
    fp32FlopsPerCycle: rates.fp32FlopsPerCycle,
    int8OpsPerCycle: rates.int8OpsPerCycle,
  };
}

type ProfileSeed = Omit<
  HardwareProfileInput,
  | 'peakGflopsFp32PerThread'
  | 'peakGflopsFp32'
  | 'peakGopsInt8PerThread'
  | 'peakGopsInt8'
  | 'cores'
  | 'clockGHz'
> & { clusters: CoreCluster[] };

function profile(seed: ProfileSeed): HardwareProfile {
  const cores = seed.clusters.reduce((n, c) => n + c.count, 0);
  const clockGHz = Math.max(...seed.clusters.map((c) => c.clockGHz));
  const sources = {
    ...seed.sources,
    peakGflopsFp32: seed.sources?.['peakGflopsFp32'] ?? peakFormula,
    peakGflopsFp32PerThread: seed.sources?.['peakGflopsFp32PerThread'] ?? peakFormula,
    peakGopsInt8: seed.sources?.['peakGopsInt8'] ?? peakFormula,
    peakGopsInt8PerThread: seed.sources?.['peakGopsInt8PerThread'] ?? peakFormula,
    clusters: seed.sources?.['clusters'] ?? 'ops/cycle per core type: main/core/bench/profiles/peak-math.ts',
  };
  return hardwareProfileSchema.parse({
    ...seed,
    origin: 'builtin',
    cores,
    clockGHz,
    ...peaksFromClusters(seed.clusters),
    sources,
  });
}

const armIpc = (core: string): number => armCoreRates[core]?.relativeIpc ?? 0.5;
const ipcSource =
  'assumption: per-clock scalar speed relative to a recent big x86 core (in-order A53/A55 ≈ 0.35–0.4, A72 ≈ 0.55, A76/A78 ≈ 0.8–0.85), used only to scale per-kernel overhead';

export const builtinProfiles: readonly HardwareProfile[] = [
  profile({
    id: 'rpi4',
    name: 'Raspberry Pi 4 Model B',
    description: 'Broadcom BCM2711, 4× Cortex-A72. CPU only.',
    arch: 'arm64',
    cpuModel: '4× Cortex-A72 @ 1.8 GHz',
    clusters: [cluster('Cortex-A72', 4, 1.8)],
    features: ['neon'],
    memoryBandwidthGBs: 12.8,
    ramGB: 4,
    llcMB: 1,
    typicalPowerW: 6.4,
    relativeIpc: armIpc('Cortex-A72'),
    sources: {
      cpuModel:
        'Raspberry Pi 4 Model B product brief (BCM2711, quad Cortex-A72); 1.8 GHz on boards since 2020 (rev 1.4+), 1.5 GHz before',
      features:
        'Armv8.0-A: NEON (asimd), no dotprod, no fp16 arithmetic (/proc/cpuinfo: fp asimd evtstrm crc32 cpuid)',
      memoryBandwidthGBs: 'LPDDR4-3200, 32-bit bus: 3200 MT/s × 4 B = 12.8 GB/s (BCM2711 datasheet)',
      ramGB: 'sold with 1/2/4/8 GB; 4 GB assumed',
      llcMB: 'BCM2711: 1 MB shared L2',
      typicalPowerW: 'Raspberry Pi documentation: 3 A supply; ~6.4 W measured under full CPU load (reviews)',
      relativeIpc: ipcSource,
    },
    assumptions: ['Clocked at 1.8 GHz without thermal throttling (needs a heatsink for sustained runs).'],
  }),
  profile({
    id: 'rpi5',
    name: 'Raspberry Pi 5',
    description: 'Broadcom BCM2712, 4× Cortex-A76. CPU only.',
    arch: 'arm64',
    cpuModel: '4× Cortex-A76 @ 2.4 GHz',
    clusters: [cluster('Cortex-A76', 4, 2.4)],
    features: ['neon', 'dotprod', 'fp16'],
    memoryBandwidthGBs: 17.1,
    ramGB: 8,
    llcMB: 2,
    typicalPowerW: 7.5,
    relativeIpc: armIpc('Cortex-A76'),
    sources: {
      cpuModel: 'Raspberry Pi 5 product brief: BCM2712, quad Cortex-A76 @ 2.4 GHz',
      features: 'Armv8.2-A: asimd, asimddp (dotprod), asimdhp/fphp (fp16 arithmetic)',
      memoryBandwidthGBs: 'LPDDR4X-4267, 32-bit bus: 4267 MT/s × 4 B ≈ 17.1 GB/s (product brief)',
      ramGB: 'sold with 2/4/8/16 GB; 8 GB assumed',
      llcMB: 'BCM2712: 2 MB shared L3 (512 KB L2 per core)',
      typicalPowerW: 'product brief: 5 V/5 A supply; ~7–8 W under full CPU load (reviews)',
      relativeIpc: ipcSource,
    },
    assumptions: ['Active cooling: no throttling at 2.4 GHz.'],
  }),
  profile({
    id: 'jetson-nano-cpu',
    name: 'NVIDIA Jetson Nano (CPU)',
    description: 'Tegra X1, 4× Cortex-A57. CPU execution provider only (the Maxwell GPU is not used).',
    arch: 'arm64',
    cpuModel: '4× Cortex-A57 @ 1.43 GHz',
    clusters: [cluster('Cortex-A57', 4, 1.43)],
    features: ['neon'],
    memoryBandwidthGBs: 25.6,
    ramGB: 4,
    llcMB: 2,
    typicalPowerW: 10,
    relativeIpc: armIpc('Cortex-A57'),
    sources: {
      cpuModel: 'NVIDIA Jetson Nano module data sheet: quad Cortex-A57 MPCore @ 1.43 GHz',
      features: 'Armv8.0-A: NEON, no dotprod, no fp16 arithmetic',
      memoryBandwidthGBs: 'data sheet: 4 GB 64-bit LPDDR4 @ 1600 MHz, 25.6 GB/s',
      ramGB: 'data sheet: 4 GB (a 2 GB developer kit also exists)',
      llcMB: 'Tegra X1: 2 MB L2 shared by the A57 cluster',
      typicalPowerW: 'data sheet: 5 W and 10 W (MAXN) power modes; 10 W assumed',
      relativeIpc: ipcSource,
    },
    assumptions: ['MAXN (10 W) power mode, all 4 cores online.'],
  }),
  profile({
    id: 'jetson-orin-nano-cpu',
    name: 'NVIDIA Jetson Orin Nano 8GB (CPU)',
    description: '6× Cortex-A78AE. CPU execution provider only (the Ampere GPU is not used).',
    arch: 'arm64',
    cpuModel: '6× Cortex-A78AE @ 1.5 GHz',
    clusters: [cluster('Cortex-A78AE', 6, 1.5)],
    features: ['neon', 'dotprod', 'fp16'],
    memoryBandwidthGBs: 68,
    ramGB: 8,
    llcMB: 4,
    typicalPowerW: 15,
    relativeIpc: armIpc('Cortex-A78AE'),
    sources: {
      cpuModel:
        'Jetson Orin Nano series data sheet: 6-core Arm Cortex-A78AE v8.2, up to 1.5 GHz (1.7 GHz in the "Super" mode)',
      features: 'Armv8.2-A: asimd, asimddp, asimdhp',
      memoryBandwidthGBs: 'data sheet: 8 GB 128-bit LPDDR5, 68 GB/s (102 GB/s in Super mode)',
      ramGB: 'data sheet: 8 GB (4 GB module: 34 GB/s)',
      llcMB: 'data sheet: 2 MB L3 + 4 MB system cache',
      typicalPowerW: 'data sheet: 7 W / 15 W power modes; 15 W assumed',
      relativeIpc: ipcSource,
    },
    assumptions: ['15 W mode at 1.5 GHz (not the 25 W "Super" mode).'],
  }),
  profile({
    id: 'rk3588',
    name: 'Rockchip RK3588 (Rock 5B / Orange Pi 5 class)',
    description: '4× Cortex-A76 + 4× Cortex-A55 big.LITTLE. CPU only (the 6 TOPS NPU is not used by ORT).',
    arch: 'arm64',
    cpuModel: '4× Cortex-A76 @ 2.4 GHz + 4× Cortex-A55 @ 1.8 GHz',
    clusters: [cluster('Cortex-A76', 4, 2.4), cluster('Cortex-A55', 4, 1.8)],
    features: ['neon', 'dotprod', 'fp16'],
    memoryBandwidthGBs: 34.1,
    ramGB: 8,
    llcMB: 3,
    typicalPowerW: 10,
    relativeIpc: armIpc('Cortex-A76'),
    sources: {
      cpuModel: 'Rockchip RK3588 datasheet: quad Cortex-A76 up to 2.4 GHz + quad Cortex-A55 up to 1.8 GHz',
      features: 'Armv8.2-A on both clusters: asimd, asimddp, asimdhp',
      memoryBandwidthGBs: 'datasheet: LPDDR4/4X/5, 4×16-bit channels (64-bit) at up to 4266 MT/s → 34.1 GB/s',
      ramGB: 'boards ship with 4–32 GB; 8 GB assumed',
      llcMB: 'datasheet: 3 MB L3 shared',
      typicalPowerW: 'board reviews (Rock 5B): ~8–12 W under full CPU load; 10 W assumed',
      relativeIpc: ipcSource,
    },
    assumptions: [
      'With more threads than big cores, work spills onto the A55 cores (summed, as ORT hands out work in chunks).',
    ],
  }),
  profile({
    id: 'imx8mp',
    name: 'NXP i.MX 8M Plus',
    description: '4× Cortex-A53. CPU only (the 2.3 TOPS NPU is not used by ORT).',
    arch: 'arm64',
    cpuModel: '4× Cortex-A53 @ 1.8 GHz',
    clusters: [cluster('Cortex-A53', 4, 1.8)],
    features: ['neon'],
    memoryBandwidthGBs: 16,
    ramGB: 4,
    llcMB: 0.5,
    typicalPowerW: 4,
    relativeIpc: armIpc('Cortex-A53'),
    sources: {
      cpuModel: 'NXP i.MX 8M Plus fact sheet: quad Cortex-A53 up to 1.8 GHz (industrial parts 1.6 GHz)',
      features: 'Armv8.0-A: NEON, no dotprod, no fp16 arithmetic',
      memoryBandwidthGBs: 'fact sheet: 32-bit LPDDR4 at up to 4000 MT/s → 16 GB/s',
      ramGB: 'EVK ships 6 GB; 4 GB assumed for production boards',
      llcMB: 'reference manual: 512 KB L2',
      typicalPowerW:
        'assumption: 3–5 W for the SoC under CPU load (NXP power app note figures vary by board)',
      relativeIpc: ipcSource,
    },
    assumptions: ['Commercial-grade part at 1.8 GHz.'],
  }),
  profile({
    id: 'rpi3bplus',
    name: 'Raspberry Pi 3 Model B+ (Cortex-A53 board)',
    description:
      'Broadcom BCM2837B0, 4× Cortex-A53 — stands for the many A53 boards (also Pi Zero 2 W at 1 GHz).',
    arch: 'arm64',
    cpuModel: '4× Cortex-A53 @ 1.4 GHz',
    clusters: [cluster('Cortex-A53', 4, 1.4)],
    features: ['neon'],
    memoryBandwidthGBs: 3.6,
    ramGB: 1,
    llcMB: 0.5,
    typicalPowerW: 5,
    relativeIpc: armIpc('Cortex-A53'),
    sources: {
      cpuModel: 'Raspberry Pi 3 Model B+ product brief: BCM2837B0, quad Cortex-A53 @ 1.4 GHz',
      features: 'Armv8.0-A: NEON, no dotprod, no fp16 arithmetic; a 64-bit OS is assumed',
      memoryBandwidthGBs: 'LPDDR2-900 (450 MHz DDR), 32-bit bus: 900 MT/s × 4 B = 3.6 GB/s',
      ramGB: 'product brief: 1 GB LPDDR2',
      llcMB: 'BCM2837: 512 KB L2',
      typicalPowerW: 'product brief: 5 V/2.5 A supply; ~5 W under full CPU load (reviews)',
      relativeIpc: ipcSource,
    },
    assumptions: ['64-bit Raspberry Pi OS (a 32-bit userland runs armv7 ORT builds, slower).'],
  }),
  profile({
    id: 'intel-n100',
    name: 'Intel N100 mini-PC',
    description: '4 Gracemont E-cores (Alder Lake-N), single-channel DDR5.',
    arch: 'x86_64',
    cpuModel: 'Intel Processor N100, 4 cores @ up to 3.4 GHz',
    clusters: [{ core: 'Gracemont', count: 4, clockGHz: 3.4, fp32FlopsPerCycle: 16, int8OpsPerCycle: 64 }],
    features: ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'vnni'],
    memoryBandwidthGBs: 38.4,
    ramGB: 16,
    llcMB: 6,
    typicalPowerW: 12,
    relativeIpc: 0.75,
    sources: {
      cpuModel: 'Intel ARK: Processor N100, 4 cores / 4 threads, max turbo 3.4 GHz, 6 MB cache, TDP 6 W',
      clusters:
        'Gracemont: two 128-bit FMA pipes (256-bit AVX2 ops split) → 16 fp32 FLOP/cycle; AVX-VNNI on 128-bit pipes → 2 × 16 MACs × 2 = 64 int8 ops/cycle (Intel optimization manual, E-core chapter)',
      features: 'Alder Lake-N ISA: AVX2, FMA, F16C, AVX-VNNI (cpuinfo avx_vnni); no AVX-512',
      memoryBandwidthGBs: 'Intel ARK: single-channel DDR5-4800 (64-bit) → 38.4 GB/s',
      ramGB: 'mini-PCs ship 8–16 GB; 16 GB assumed',
      llcMB: 'Intel ARK: 6 MB Intel Smart Cache',
      typicalPowerW: 'TDP 6 W (ARK); ~10–15 W at the wall for a mini-PC under load (reviews); 12 W assumed',
      relativeIpc: ipcSource + '; Gracemont ≈ Skylake per clock → 0.75',
    },
    assumptions: ['All-core turbo is lower than 3.4 GHz (about 2.9 GHz): multi-thread peaks are optimistic.'],
  }),
  profile({
    id: 'x86-ipc-avx2',
    name: 'x86 industrial PC, AVX2 (Core i5-8365UE class)',
    description: '4-core Whiskey Lake/Coffee Lake-class embedded Core: AVX2 + FMA, no AVX-512, no VNNI.',
    arch: 'x86_64',
    cpuModel: 'Intel Core i5-8365UE, 4 cores @ ~3.0 GHz sustained',
    clusters: [
      { core: 'Skylake-derived', count: 4, clockGHz: 3.0, fp32FlopsPerCycle: 32, int8OpsPerCycle: 64 },
    ],
    features: ['sse4_2', 'avx', 'avx2', 'fma', 'f16c'],
    memoryBandwidthGBs: 38.4,
    ramGB: 16,
    llcMB: 6,
    typicalPowerW: 25,
    relativeIpc: 0.9,
    sources: {
      cpuModel:
        'Intel ARK: Core i5-8365UE, 4C/8T, 1.6 GHz base, 4.1 GHz turbo, 6 MB cache, TDP 15 W; ~3.0 GHz all-core sustained assumed',
      clusters:
        'Skylake core: two 256-bit FMA ports → 32 fp32 FLOP/cycle; int8 VPMADDUBSW+VPMADDWD ≈ 2× fp32 → 64 ops/cycle (Intel optimization manual)',
      features: 'AVX2, FMA, F16C; no AVX-512, no VNNI',
      memoryBandwidthGBs: 'Intel ARK: dual-channel DDR4-2400 → 2 × 19.2 = 38.4 GB/s',
      ramGB: '16 GB assumed',
      llcMB: 'Intel ARK: 6 MB',
      typicalPowerW: 'assumption: fanless IPC at the wall under load, 20–30 W',
      relativeIpc: ipcSource,
    },
    assumptions: ['One ORT thread per physical core (hyper-threads add little to GEMM throughput).'],
  }),
  profile({
    id: 'x86-ipc-avx512-vnni',
    name: 'x86 industrial PC, AVX-512 VNNI (Core i7-1185GRE class)',
    description: '4-core Tiger Lake embedded Core: AVX-512 with VNNI (DL Boost).',
    arch: 'x86_64',
    cpuModel: 'Intel Core i7-1185GRE, 4 cores @ ~3.0 GHz sustained',
    clusters: [{ core: 'Willow Cove', count: 4, clockGHz: 3.0, fp32FlopsPerCycle: 32, int8OpsPerCycle: 128 }],
    features: ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'vnni'],
    memoryBandwidthGBs: 51.2,
    ramGB: 32,
    llcMB: 12,
    typicalPowerW: 28,
    relativeIpc: 1,
    sources: {
      cpuModel:
        'Intel ARK: Core i7-1185GRE, 4C/8T, up to 4.4 GHz, 12 MB cache, TDP 15–28 W; ~3.0 GHz all-core sustained assumed',
      clusters:
        'client AVX-512: one 512-bit FMA port (ports 0+1 fused) → 32 fp32 FLOP/cycle; VPDPBUSD zmm 1/cycle → 64 MACs × 2 = 128 int8 ops/cycle (Intel optimization manual)',
      features: 'AVX-512 F/BW/VL + VNNI',
      memoryBandwidthGBs: 'Intel ARK: dual-channel DDR4-3200 → 51.2 GB/s',
      ramGB: '32 GB assumed',
      llcMB: 'Intel ARK: 12 MB',
      typicalPowerW: 'TDP up to 28 W (ARK)',
      relativeIpc: ipcSource,
    },
    assumptions: ['No AMX (that is Sapphire Rapids and later server parts).'],
  }),
];

export function builtinProfile(id: string): HardwareProfile | undefined {
  return builtinProfiles.find((p) => p.id === id);
}
