import type {
  EstimateWarning,
  HardwareProfile,
  MemoryEstimate,
  VariantTraits,
} from '../../../../shared/schemas/bench';

/** Share of RAM above which a variant is "tight": the OS, the app and the camera pipeline need the rest. */
const tightMemoryShare = 0.5;

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;

/** Warnings that change which variant to pick on this profile (ORT behaviour on CPUs, memory). */
export function estimateWarnings(input: {
  profile: HardwareProfile;
  traits: VariantTraits;
  memory: MemoryEstimate;
  requestedThreads: number;
  unknownCostNodes: number;
}): EstimateWarning[] {
  const { profile, traits, memory } = input;
  const has = (f: string) => profile.features.some((x) => x === f);
  const warnings: EstimateWarning[] = [];
  const x86 = profile.arch === 'x86_64';

  if (traits.int8) {
    const fastInt8 = x86 ? has('vnni') : has('dotprod');
    if (!fastInt8) {
      warnings.push({
        code: 'INT8_NO_DOT_PRODUCT',
        message: x86
          ? `${profile.name} has no VNNI: int8 kernels use the slower VPMADDUBSW path, so int8 gains little over fp32 here (mostly the 4× smaller file).`
          : `${profile.name} has no dot-product instructions (Armv8.0, no asimddp): int8 kernels widen to 16 bits, so int8 gains little over fp32 here (mostly the 4× smaller file).`,
      });
    }
    if (x86 && !has('vnni') && (has('avx2') || has('avx512f'))) {
      warnings.push({
        code: 'INT8_SATURATION_RISK',
        message:
          'Without VNNI, ORT’s u8s8 kernels sum pairs of products in 16 bits (VPMADDUBSW), which can saturate and corrupt outputs. ' +
          'Quantize with reduce_range (7-bit weights) for this target, or use per-channel weights and check fidelity here.',
      });
    }
  }
  if (traits.fp16) {
    warnings.push(
      has('fp16') && !x86
        ? {
            code: 'FP16_PARTIAL',
            message: `${profile.name} has fp16 arithmetic, but ORT’s CPU provider runs only some ops in fp16 (others get Casts to fp32): expect little speed-up; the estimate assumes fp32 compute.`,
          }
        : {
            code: 'FP16_NO_SPEEDUP',
            message: `${profile.name} has no fp16 arithmetic ORT uses: ORT inserts Casts around fp16 ops and computes in fp32, so fp16 is no faster (often slower) than fp32 — it only halves the file.`,
          },
    );
  }
  if (!memory.fits) {
    warnings.push({
      code: 'DOES_NOT_FIT',
      message: `Needs about ${gb(memory.totalBytes)} but ${profile.name} has ${gb(memory.ramBytes)} of RAM: it will not run there. Use a smaller variant or input.`,
    });
  } else if (memory.totalBytes > memory.ramBytes * tightMemoryShare) {
    warnings.push({
      code: 'MEMORY_TIGHT',
      message: `Needs about ${gb(memory.totalBytes)}, more than half of ${profile.name}’s ${gb(memory.ramBytes)}: little is left for the rest of the device.`,
    });
  }
  if (input.requestedThreads > profile.cores) {
    warnings.push({
      code: 'THREADS_CAPPED',
      message: `${input.requestedThreads} threads asked, ${profile.name} has ${profile.cores} cores: estimated with ${profile.cores}.`,
    });
  }
  const clusters = profile.clusters ?? [];
  const big = clusters[0];
  if (clusters.length > 1 && big && Math.min(input.requestedThreads, profile.cores) > big.count) {
    warnings.push({
      code: 'LITTLE_CORES',
      message: `With more than ${big.count} threads, work spills onto ${profile.name}’s slower ${clusters
        .slice(1)
        .map((c) => c.core)
        .join('/')} cores; pinning ${big.count} threads to the big cores is often as fast and steadier.`,
    });
  }
  if (input.unknownCostNodes > 0) {
    warnings.push({
      code: 'UNKNOWN_COST',
      message: `${input.unknownCostNodes} node(s) had tensors of unknown shape and count only their overhead: the estimate is low.`,
    });
  }
  return warnings;
}
