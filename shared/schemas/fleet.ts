import { z } from 'zod';
import { appErrorSchema } from '../errors';

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

const archFamilySchema = z.enum(['x86_64', 'x86', 'arm64', 'arm', 'riscv64', 'other']);
export type ArchFamily = z.infer<typeof archFamilySchema>;

const deployedManifestSchema = z.object({
  /** Directory name under the deploy root. */
  model: z.string(),
  /** Target of the `current` link, e.g. `releases/1.2.0-ab12cd34`; null if not a link. */
  current: z.string().nullable(),
  /** Parsed manifest.json; null when it is not valid JSON (see `error`). */
  manifest: z.json().nullable(),
  error: z.string().nullable(),
});
export type DeployedManifest = z.infer<typeof deployedManifestSchema>;

/**
 * TensorRT on a device: `trtexec` (on PATH, or where JetPack and the TensorRT tar put it), the version its
 * banner names, the libnvinfer it would load, and the accelerators (device nodes) it could build for.
 */
export const tensorrtFactsSchema = z.object({
  /** Absolute path of trtexec. */
  trtexec: z.string(),
  /** "8.6.1", from trtexec's `[TensorRT v8601]` banner; null when it printed none. */
  version: z.string().nullable(),
  /** "8.6.1", from the libnvinfer.so.<version> file name; null when none was found. */
  libnvinfer: z.string().nullable(),
  /** GPUs: /dev/nvidia<N> (discrete) or the Jetson integrated GPU; null when unknown. */
  gpus: z.number().int().nullable(),
  /** Deep-learning accelerator cores (Xavier, Orin): /dev/nvhost-nvdla<N>. */
  dlaCores: z.number().int().nullable(),
});
export type TensorrtFacts = z.infer<typeof tensorrtFactsSchema>;

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
    /**
     * Version of onnxruntime-node under <deployRoot>/runtime, where the app tells people to install it;
     * absent in probes stored before it was read.
     */
    onnxruntimeNode: z.string().nullable().optional(),
    /** TensorRT (Jetson and other NVIDIA devices); null when no trtexec was found; absent in older probes. */
    tensorrt: tensorrtFactsSchema.nullable().optional(),
  }),
  deployments: z.array(deployedManifestSchema),
  /** Sections that were missing or unreadable; the facts above are null there. */
  warnings: z.array(z.string()),
});
export type ProbeFacts = z.infer<typeof probeFactsSchema>;

// ---------------------------------------------------------------------------------------------------------
// Device inventory

/** Control characters: never in names, hosts, paths or tags (they break terminals, files and shells). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const controlChars = /[\x00-\x1f\x7f]/;
const noControl = (what: string) =>
  z.string().refine((s) => !controlChars.test(s), `${what} must not contain control characters`);

/**
 * Device names double as Ansible inventory host names and ssh_config `Host` aliases, so they stay in the
 * character set both accept unquoted. "all" is reserved: it is the target for every device.
 */
export const deviceNameSchema = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
    'a device name is 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit',
  )
  .refine((n) => n.toLowerCase() !== 'all', '"all" is reserved: it targets every device');

/** Free text (spaces, quotes, `$()`, `;` are fine and stay literal); commas separate tags in CSV files. */
export const deviceTagSchema = z
  .string()
  .trim()
  .min(1, 'a tag must not be empty')
  .max(64, 'a tag is at most 64 characters')
  .pipe(noControl('a tag'))
  .refine((t) => !t.includes(','), 'a tag must not contain commas');

/** A host name, IPv4 or IPv6 address (brackets are stripped). */
const deviceHostSchema = z
  .string()
  .trim()
  .transform((h) => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h))
  .pipe(
    z
      .string()
      .regex(
        /^[A-Za-z0-9_%.:-]{1,253}$/,
        'a host is a DNS name or an IP address (letters, digits, ".", "-", "_", ":")',
      ),
  );

const devicePortSchema = z
  .number()
  .int('the port must be a whole number')
  .min(1, 'the port must be from 1 to 65535')
  .max(65_535, 'the port must be from 1 to 65535');

const deviceUserSchema = z
  .string()
  .trim()
  .regex(/^[^\s@:]{1,64}$/, 'a user name is 1–64 characters without spaces, "@" or ":"')
  .pipe(noControl('a user name'));

/**
 * key: a private key file (its passphrase is asked at use, never stored); agent: SSH_AUTH_SOCK;
 * password: asked at use and kept in memory only (the desktop shell may keep it in the OS keychain).
 */
const authMethodSchema = z.enum(['key', 'agent', 'password']);
export type AuthMethod = z.infer<typeof authMethodSchema>;

const keyPathSchema = z.string().trim().min(1).max(4096).pipe(noControl('a key path'));

/** Another device's name, or `[user@]host[:port]` (IPv6 as `[addr]:port`). */
const jumpSpecSchema = z
  .string()
  .trim()
  .regex(
    /^(?:[^\s@:[\]]{1,64}@)?(?:\[[0-9A-Fa-f:.%A-Za-z]+\]|[A-Za-z0-9_%.-]{1,253})(?::\d{1,5})?$/,
    'a jump host is a device name or user@host:port',
  );

export const defaultDeployRoot = '/opt/edgefleet';

const deployRootSchema = z
  .string()
  .trim()
  .max(1024, 'the deploy root is at most 1024 characters')
  .pipe(noControl('the deploy root'))
  .refine((p) => p.startsWith('/'), 'the deploy root must be an absolute path, like /opt/edgefleet')
  .transform((p) => (p.length > 1 ? p.replace(/\/+$/, '') : p));

/** Shell commands the deploy runs on the device; multi-line scripts are allowed, NUL is not. */
const deviceCommandSchema = z
  .string()
  .max(4096)
  .refine((c) => !c.includes('\0'), 'a command must not contain NUL');

const profileIdSchema = z.string().trim().min(1).max(128).pipe(noControl('a profile id'));
const deviceNotesSchema = z
  .string()
  .max(4096)
  .refine((c) => !c.includes('\0'), 'notes must not contain NUL');

export const deviceInputSchema = z
  .object({
    name: deviceNameSchema,
    host: deviceHostSchema,
    port: devicePortSchema.optional(),
    /** Default: the local user name, as OpenSSH does. */
    user: deviceUserSchema.optional(),
    /** Default: key when keyPath is given, else agent. */
    authMethod: authMethodSchema.optional(),
    keyPath: keyPathSchema.nullable().optional(),
    jump: jumpSpecSchema.nullable().optional(),
    tags: z.array(deviceTagSchema).max(100).optional(),
    profile: profileIdSchema.nullable().optional(),
    deployRoot: deployRootSchema.optional(),
    restartCmd: deviceCommandSchema.nullable().optional(),
    healthCmd: deviceCommandSchema.nullable().optional(),
    notes: deviceNotesSchema.nullable().optional(),
  })
  .strict();
export type DeviceInput = z.input<typeof deviceInputSchema>;

/** Only the fields given change; null clears an optional field. */
export const devicePatchSchema = deviceInputSchema.partial().strict();
export type DevicePatch = z.input<typeof devicePatchSchema>;

const pinnedHostKeySchema = z.object({
  /** OpenSSH public-key line, `ssh-ed25519 AAAA…`. */
  publicKey: z.string(),
  keyType: z.string(),
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  fingerprint: z.string(),
  pinnedAt: z.string(),
});
export type PinnedHostKey = z.infer<typeof pinnedHostKeySchema>;

/** online: logged in and ran a command; the others say why not. */
const deviceStateSchema = z.enum([
  'online',
  'offline',
  'auth_failed',
  'host_key_problem',
  'timeout',
  'error',
]);
export type DeviceState = z.infer<typeof deviceStateSchema>;

const deviceStatusSchema = z.object({
  state: deviceStateSchema,
  checkedAt: z.string(),
  /** TCP connect + SSH handshake + login, in ms; null when it did not connect. */
  latencyMs: z.number().nullable(),
  error: appErrorSchema.nullable(),
});
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

export const deviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  authMethod: authMethodSchema,
  keyPath: z.string().nullable(),
  jump: z.string().nullable(),
  tags: z.array(z.string()),
  /** Hardware profile id (free text until the benchmark catalog exists). */
  profile: z.string().nullable(),
  deployRoot: z.string(),
  restartCmd: z.string().nullable(),
  healthCmd: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** null: not trusted yet; every connection is refused with HOST_KEY_UNKNOWN until `trust`. */
  hostKey: pinnedHostKeySchema.nullable(),
  /** Pinned key of an ad-hoc jump host (`user@host:port`); a jump given as a device name uses that device's key. */
  jumpHostKey: pinnedHostKeySchema.nullable(),
  probe: z.object({ facts: probeFactsSchema, probedAt: z.string() }).nullable(),
  status: deviceStatusSchema.nullable(),
  /** Last time a connection succeeded. */
  lastSeenAt: z.string().nullable(),
});
export type Device = z.infer<typeof deviceSchema>;

export const deviceRefSchema = z.string().trim().min(1).max(256);

/** A device name, `tag:<tag>`, or `all`. */
const targetSchema = z.string().trim().min(1).max(256);
export const targetsSchema = z.array(targetSchema).min(1).max(10_000);

const outcomeBase = { device: z.string(), deviceId: z.string() };
const failed = z.object({ ...outcomeBase, ok: z.literal(false), error: appErrorSchema });

/** What a host presents, for the user to compare before trusting. */
export const hostKeyScanSchema = z.lazy(() =>
  z.discriminatedUnion('ok', [
    z.object({
      ...outcomeBase,
      ok: z.literal(true),
      /** device: the device itself; jump: its ad-hoc jump host. */
      role: z.enum(['device', 'jump']),
      endpoint: z.string(),
      fingerprint: z.string(),
      keyType: z.string(),
      publicKey: z.string(),
      /** How the presented key compares with the pinned one. */
      pinned: z.enum(['none', 'same', 'different']),
      pinnedFingerprint: z.string().nullable(),
    }),
    failed.extend({ role: z.enum(['device', 'jump']), endpoint: z.string() }),
  ]),
);
export type HostKeyScan = z.infer<typeof hostKeyScanSchema>;

const trustActionSchema = z.enum(['pinned', 'unchanged', 'replaced']);
export const trustOutcomeSchema = z.lazy(() =>
  z.discriminatedUnion('ok', [
    z.object({
      ...outcomeBase,
      ok: z.literal(true),
      action: trustActionSchema,
      fingerprint: z.string(),
      keyType: z.string(),
      previousFingerprint: z.string().nullable(),
      /** The ad-hoc jump host's key, when the device has one. */
      jump: z.object({ action: trustActionSchema, fingerprint: z.string() }).nullable(),
    }),
    failed,
  ]),
);
export type TrustOutcome = z.infer<typeof trustOutcomeSchema>;

export const probeOutcomeSchema = z.lazy(() =>
  z.discriminatedUnion('ok', [
    z.object({
      ...outcomeBase,
      ok: z.literal(true),
      facts: probeFactsSchema,
      probedAt: z.string(),
      latencyMs: z.number(),
    }),
    failed,
  ]),
);
export type ProbeOutcome = z.infer<typeof probeOutcomeSchema>;

export const statusOutcomeSchema = z.lazy(() =>
  z.object({
    ...outcomeBase,
    /** true when online. */
    ok: z.boolean(),
    state: deviceStateSchema,
    latencyMs: z.number().nullable(),
    checkedAt: z.string(),
    lastSeenAt: z.string().nullable(),
    error: appErrorSchema.nullable(),
  }),
);
export type StatusOutcome = z.infer<typeof statusOutcomeSchema>;

export const importFormatSchema = z.enum(['csv', 'ansible-ini', 'ansible-yaml', 'ssh-config', 'known-hosts']);
export type ImportFormat = z.infer<typeof importFormatSchema>;
/** ssh-config and known-hosts exports are extras: they let OpenSSH and Ansible use what EdgeFleet knows and trusts. */
export const exportFormatSchema = importFormatSchema;
export type ExportFormat = z.infer<typeof exportFormatSchema>;

const importActionSchema = z.enum(['added', 'updated', 'unchanged', 'skipped', 'rejected']);
export type ImportAction = z.infer<typeof importActionSchema>;

const importRowSchema = z.lazy(() =>
  z.object({
    /** 1-based line in the file (CSV: the record's first line); null when not from one line. */
    line: z.number().int().nullable(),
    /** Device name(s) the row is about, when known. */
    name: z.string().nullable(),
    action: importActionSchema,
    /** Why it was rejected or skipped, or a note. */
    reason: z.string().nullable(),
    /** Fields that change (updated) or are set (added). */
    changes: z.array(z.string()),
  }),
);
export type ImportRow = z.infer<typeof importRowSchema>;

export const importReportSchema = z.lazy(() =>
  z.object({
    format: importFormatSchema,
    /** False when nothing was written: a row was rejected (and partial import was not asked for). */
    applied: z.boolean(),
    counts: z.object({
      added: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      skipped: z.number().int(),
      rejected: z.number().int(),
    }),
    rows: z.array(importRowSchema),
    notes: z.array(z.string()),
  }),
);
export type ImportReport = z.infer<typeof importReportSchema>;

export const exportResultSchema = z.lazy(() =>
  z.object({
    format: exportFormatSchema,
    text: z.string(),
    deviceCount: z.number().int(),
  }),
);
export type ExportResult = z.infer<typeof exportResultSchema>;

export const secretKindSchema = z.enum(['password', 'passphrase']);
export type SecretKind = z.infer<typeof secretKindSchema>;
