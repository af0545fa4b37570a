import type { CpuFeature } from '../../../../shared/schemas/fleet';
import { cpuFeatureNames } from '../../../../shared/schemas/fleet';

type CpuInfo = {
  model: string | null;
  vendor: string | null;
  /** cpuinfo's own board line (Raspberry Pi "Model", older Arm "Hardware"). */
  board: string | null;
  logicalCpus: number | null;
  features: CpuFeature[];
  flags: string[];
};

type Block = Map<string, string>;

/** /proc/cpuinfo: blank-line separated blocks of `key<tabs>: value`; Arm kernels add global lines at the end. */
function blocks(text: string): Block[] {
  return text
    .split(/\n\s*\n/)
    .map((chunk) => {
      const block: Block = new Map();
      for (const line of chunk.split('\n')) {
        const at = line.indexOf(':');
        if (at <= 0) continue;
        const key = line.slice(0, at).trim();
        if (!block.has(key)) block.set(key, line.slice(at + 1).trim());
      }
      return block;
    })
    .filter((block) => block.size > 0);
}

/** Arm "CPU implementer" codes (Linux arch/arm64/include/asm/cputype.h). */
const armImplementers: Record<string, string> = {
  '0x41': 'Arm',
  '0x42': 'Broadcom',
  '0x43': 'Cavium',
  '0x48': 'HiSilicon',
  '0x4e': 'NVIDIA',
  '0x51': 'Qualcomm',
  '0x53': 'Samsung',
  '0x61': 'Apple',
  '0xc0': 'Ampere',
};

/** Core names by implementer and "CPU part" (same source, and Arm's TRMs). */
const armParts: Record<string, Record<string, string>> = {
  '0x41': {
    '0xb76': 'ARM1176',
    '0xc07': 'Cortex-A7',
    '0xc08': 'Cortex-A8',
    '0xc09': 'Cortex-A9',
    '0xc0f': 'Cortex-A15',
    '0xd01': 'Cortex-A32',
    '0xd03': 'Cortex-A53',
    '0xd04': 'Cortex-A35',
    '0xd05': 'Cortex-A55',
    '0xd07': 'Cortex-A57',
    '0xd08': 'Cortex-A72',
    '0xd09': 'Cortex-A73',
    '0xd0a': 'Cortex-A75',
    '0xd0b': 'Cortex-A76',
    '0xd0c': 'Neoverse-N1',
    '0xd0d': 'Cortex-A77',
    '0xd40': 'Neoverse-V1',
    '0xd41': 'Cortex-A78',
    '0xd42': 'Cortex-A78AE',
    '0xd44': 'Cortex-X1',
    '0xd46': 'Cortex-A510',
    '0xd47': 'Cortex-A710',
    '0xd48': 'Cortex-X2',
    '0xd49': 'Neoverse-N2',
    '0xd4b': 'Cortex-A78C',
    '0xd4f': 'Neoverse-V2',
    '0xd80': 'Cortex-A520',
    '0xd81': 'Cortex-A720',
    '0xd82': 'Cortex-X4',
  },
  '0x4e': { '0x003': 'Denver 2', '0x004': 'Carmel' },
  '0xc0': { '0xac3': 'Ampere-1' },
};

const x86Vendors: Record<string, string> = {
  GenuineIntel: 'Intel',
  AuthenticAMD: 'AMD',
  HygonGenuine: 'Hygon',
  CentaurHauls: 'Centaur',
};

/** Raw flag → normalized features. Several spellings mean the same thing to a model runtime. */
const featureOf: Record<string, CpuFeature> = {
  neon: 'neon',
  asimd: 'neon',
  asimddp: 'dotprod',
  fphp: 'fp16',
  asimdhp: 'fp16',
  i8mm: 'i8mm',
  bf16: 'bf16',
  sve: 'sve',
  sve2: 'sve2',
  sse4_2: 'sse4_2',
  avx: 'avx',
  avx2: 'avx2',
  fma: 'fma',
  f16c: 'f16c',
  avx512f: 'avx512f',
  avx512bw: 'avx512bw',
  avx512vl: 'avx512vl',
  avx512_vnni: 'vnni',
  avx_vnni: 'vnni',
  avx512_bf16: 'bf16',
  avx512_fp16: 'fp16',
  amx_tile: 'amx',
  amx_int8: 'amx',
  amx_bf16: 'amx',
};

export function normalizeCpuFlags(flags: readonly string[]): CpuFeature[] {
  const found = new Set<CpuFeature>();
  for (const flag of flags) {
    const feature = featureOf[flag.toLowerCase()];
    if (feature !== undefined) found.add(feature);
  }
  return cpuFeatureNames.filter((name) => found.has(name));
}

export function parseCpuInfo(text: string): CpuInfo {
  const all = blocks(text);
  const processors = all.filter((b) => /^\d+$/.test(b.get('processor') ?? ''));
  const first = processors[0] ?? all[0];
  const lookup = (key: string): string | null => {
    for (const block of all) {
      const value = block.get(key);
      if (value !== undefined && value !== '') return value;
    }
    return null;
  };
  const flags = (first?.get('flags') ?? first?.get('Features') ?? lookup('flags') ?? lookup('Features') ?? '')
    .split(/\s+/)
    .filter((f) => f !== '');
  const implementer = lookup('CPU implementer')?.toLowerCase() ?? null;
  const vendorId = lookup('vendor_id');
  return {
    model: x86Model(lookup) ?? armCoreModel(processors) ?? otherModel(lookup),
    vendor:
      vendorId !== null
        ? (x86Vendors[vendorId] ?? vendorId)
        : implementer !== null
          ? (armImplementers[implementer] ?? implementer)
          : lookup('mvendorid'),
    board: lookup('Model') ?? lookup('Hardware'),
    logicalCpus: processors.length > 0 ? processors.length : null,
    features: normalizeCpuFlags(flags),
    flags,
  };
}

function x86Model(lookup: (key: string) => string | null): string | null {
  return lookup('vendor_id') === null ? null : lookup('model name');
}

/** "Cortex-A72", or per cluster for big.LITTLE in cpuinfo order: "4× Cortex-A55 + 4× Cortex-A76". */
function armCoreModel(processors: Block[]): string | null {
  const counts = new Map<string, number>();
  for (const block of processors) {
    const implementer = block.get('CPU implementer')?.toLowerCase();
    const part = block.get('CPU part')?.toLowerCase();
    if (implementer === undefined || part === undefined) return null;
    const name = armParts[implementer]?.[part];
    if (name === undefined) return null;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (counts.size === 0) return null;
  if (counts.size === 1) return [...counts.keys()][0] ?? null;
  return [...counts.entries()].map(([name, n]) => `${n}× ${name}`).join(' + ');
}

function otherModel(lookup: (key: string) => string | null): string | null {
  // Arm without a known part ("ARMv7 Processor rev 4 (v7l)"), RISC-V ("uarch"), MIPS ("cpu model").
  return (
    lookup('model name') ?? lookup('Processor') ?? lookup('uarch') ?? lookup('cpu model') ?? lookup('isa')
  );
}
