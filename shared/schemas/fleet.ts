import { z } from 'zod';

/**
 * CPU features that matter for choosing a model variant (int8 dot products, fp16 arithmetic, wide SIMD),
 * normalized across architectures: arm64 `asimddp` and x86 `avx512_vnni`/`avx_vnni` both say "fast int8
 * dot products" in their own words.
 */
export const cpuFeatureNames = [
  'neon',
  'dotprod',
  'fp16',
  'i8mm',
  'bf16',
  'sve',
  'sve2',
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'vnni',
  'amx',
] as const;
export const cpuFeatureSchema = z.enum(cpuFeatureNames);
export type CpuFeature = z.infer<typeof cpuFeatureSchema>;

export const archFamilySchema = z.enum(['x86_64', 'x86', 'arm64', 'arm', 'riscv64', 'other']);
export type ArchFamily = z.infer<typeof archFamilySchema>;

export const deployedManifestSchema = z.object({
  /** Directory name under the deploy root. */
  model: z.string(),
  /** Target of the `current` link, e.g. `releases/1.2.0-ab12cd34`; null if not a link. */
  current: z.string().nullable(),
  /** Parsed manifest.json; null when it is not valid JSON (see `error`). */
  manifest: z.json().nullable(),
  error: z.string().nullable(),
});
export type DeployedManifest = z.infer<typeof deployedManifestSchema>;

/** What one probe of a device found. Unknown values are null, never guessed. */
export const probeFactsSchema = z.object({
  hostname: z.string().nullable(),
  os: z.object({
    /** /etc/os-release ID, e.g. "debian", "ubuntu". */
    id: z.string().nullable(),
    name: z.string().nullable(),
    versionId: z.string().nullable(),
    prettyName: z.string().nullable(),
  }),
  kernel: z.object({ name: z.string().nullable(), release: z.string().nullable() }),
  /** `uname -m` as printed: x86_64, aarch64, armv7l … */
  arch: z.string().nullable(),
  archFamily: archFamilySchema,
  /** `getconf LONG_BIT`: a 64-bit kernel may run a 32-bit userland (older Raspberry Pi OS), which decides the runtime build. */
  userlandBits: z.union([z.literal(32), z.literal(64)]).nullable(),
  cpu: z.object({
    /** "Intel(R) Core(TM) i7-…", or for Arm the core names, e.g. "4× Cortex-A76 + 4× Cortex-A55". */
    model: z.string().nullable(),
    vendor: z.string().nullable(),
    /** Board, from the device tree or cpuinfo: "Raspberry Pi 4 Model B Rev 1.4", "NVIDIA Jetson …". */
    board: z.string().nullable(),
    /** Processors this user may run on (`nproc`). */
    cores: z.number().int().nullable(),
    /** Processors listed in /proc/cpuinfo. */
    logicalCpus: z.number().int().nullable(),
    features: z.array(cpuFeatureSchema),
    /** Raw flags of the first processor, for anything `features` does not cover. */
    flags: z.array(z.string()),
  }),
  memory: z.object({
    totalBytes: z.number().int().nullable(),
    availableBytes: z.number().int().nullable(),
  }),
  disk: z.object({
    deployRoot: z.string(),
    deployRootExists: z.boolean(),
    /** The deploy root, or its nearest existing ancestor when it does not exist yet. */
    probedPath: z.string().nullable(),
    mountPoint: z.string().nullable(),
    totalBytes: z.number().int().nullable(),
    availableBytes: z.number().int().nullable(),
  }),
  runtimes: z.object({
    /** "3.11.2" */
    python: z.string().nullable(),
    onnxruntime: z.object({ version: z.string(), providers: z.array(z.string()) }).nullable(),
    /** "v20.19.0" */
    node: z.string().nullable(),
    /** Path of `onnxruntime_perf_test` when it is on PATH. */
    perfTest: z.string().nullable(),
  }),
  deployments: z.array(deployedManifestSchema),
  /** Sections that were missing or unreadable; the facts above are null there. */
  warnings: z.array(z.string()),
});
export type ProbeFacts = z.infer<typeof probeFactsSchema>;
