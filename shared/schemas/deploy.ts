import { z } from 'zod';
import { appErrorSchema } from '../errors';

/**
 * Deploy: what a rollout is asked to do, what it did per device, what each device runs, and what a drift
 * check found. The remote layout these describe is in ARCHITECTURE.md ("Remote layout on a device").
 */

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits');

/** `<version>-<sha8>`: a directory name, so only characters that need no quoting and no leading dot. */
export const releaseNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/, 'a release name holds only letters, digits, ".", "_" and "-"');

export const deployStepSchema = z.enum([
  'connect',
  'preflight',
  'upload',
  'verify',
  'install',
  'switch',
  'restart',
  'health',
  'rollback',
  'prune',
  'done',
]);
export type DeployStep = z.infer<typeof deployStepSchema>;

export const deviceDeployStatusSchema = z.enum([
  'pending',
  'running',
  /** Switched to the new release (and healthy, when a health check is set). */
  'deployed',
  /** The device already ran this release: nothing was done on it. */
  'unchanged',
  /** The new release failed its restart or health check; the device was switched back. */
  'rolled_back',
  'failed',
  'cancelled',
  /** Not attempted: the rollout stopped (canary failed, or too many devices failed). */
  'skipped',
  /** The deploying process died while this device was pending or running. */
  'interrupted',
]);
export type DeviceDeployStatus = z.infer<typeof deviceDeployStatusSchema>;

/** The device will not change any more in this rollout, whatever the result: all but pending and running. */
export const finalDeviceStatuses: ReadonlySet<DeviceDeployStatus> = new Set(
  deviceDeployStatusSchema.exclude(['pending', 'running']).options,
);

/** The device runs what was asked: a rollout of only these succeeded, and the CLI exits 0. */
export const okDeviceStatuses: ReadonlySet<DeviceDeployStatus> = new Set(['deployed', 'unchanged']);

/** The device was attempted and did not take the release: these count against maxFailPercent. */
export const failedDeviceStatuses: ReadonlySet<DeviceDeployStatus> = new Set(['failed', 'rolled_back']);

export function isFinalDeviceStatus(status: DeviceDeployStatus): boolean {
  return finalDeviceStatuses.has(status);
}

export const deploymentStatusSchema = z.enum([
  'running',
  /** Every device is deployed or unchanged. */
  'succeeded',
  /** Every device was attempted; at least one failed or was rolled back. */
  'failed',
  /** The canary failed, or more than maxFailPercent failed: the rest were skipped. */
  'stopped',
  'cancelled',
  'interrupted',
]);
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;

export const deploymentKindSchema = z.enum(['deploy', 'rollback']);
export type DeploymentKind = z.infer<typeof deploymentKindSchema>;

const ms = (max: number) => z.number().int().min(0).max(max);

export const deployOptionsSchema = z
  .object({
    /** Devices worked on at once. */
    concurrency: z.number().int().min(1).max(256).default(8),
    /** The first N devices go first; the rest only start when all of them are healthy. 0 = no canary. */
    canary: z.number().int().min(0).max(10_000).default(0),
    /** Stop starting devices once more than this share of all devices failed; null = never stop. */
    maxFailPercent: z.number().min(0).max(100).nullable().default(null),
    /** Release directories kept per model on a device; current and previous are never removed. */
    keepReleases: z.number().int().min(1).max(100).default(3),
    /** Preflight wants 2 × the file size plus this much free space. */
    diskMarginBytes: z
      .number()
      .int()
      .min(0)
      .default(16 * 1024 * 1024),
    restartTimeoutMs: ms(3_600_000).default(60_000),
    healthTimeoutMs: ms(3_600_000).default(30_000),
    /** Attempts of the health check before the release counts as unhealthy. */
    healthAttempts: z.number().int().min(1).max(100).default(3),
    healthIntervalMs: ms(600_000).default(2_000),
    /**
     * Hash a release already on the device again even when its file is unchanged since it was verified
     * (same size, mtime, ctime, inode): a deploy then never trusts the device's sha256 cache.
     */
    rehash: z.boolean().default(false),
  })
  .strict();
export type DeployOptions = z.infer<typeof deployOptionsSchema>;
export type DeployOptionsInput = z.input<typeof deployOptionsSchema>;

/**
 * manifest.json in every release directory: the device's own record of what it runs. `format` tells
 * EdgeFleet's manifests from anything else; unknown extra fields are kept (newer versions may add some).
 */
export const releaseManifestSchema = z.looseObject({
  format: z.literal('edgefleet-release/1'),
  modelName: z.string(),
  variantId: z.string(),
  version: z.string(),
  release: releaseNameSchema,
  sha256: sha256Schema,
  sizeBytes: z.number().int().min(0),
  method: z.string().nullable(),
  recipe: z.unknown(),
  parentSha256: sha256Schema.nullable(),
  deployedAt: z.string(),
  /** `user@host` of the machine that deployed it. */
  deployedBy: z.string(),
  deploymentId: z.string(),
});
export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;

export const deployTargetInfoSchema = z.object({
  deviceId: z.string(),
  deviceName: z.string(),
  /** `user@host:port` (with the jump chain), never credentials. */
  where: z.string(),
  deployRoot: z.string(),
});
export type DeployTargetInfo = z.infer<typeof deployTargetInfoSchema>;

export const deploymentSchema = z.object({
  id: z.string(),
  kind: deploymentKindSchema,
  modelName: z.string(),
  /** Deploys only; a rollback's devices may each go back to a different release. */
  variantId: z.string().nullable(),
  version: z.string().nullable(),
  release: z.string().nullable(),
  sha256: z.string().nullable(),
  sizeBytes: z.number().int().nullable(),
  requestedBy: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  status: deploymentStatusSchema,
  options: z.unknown(),
  targets: z.array(deployTargetInfoSchema),
  error: appErrorSchema.nullable(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const deployLogLineSchema = z.object({
  at: z.string(),
  step: deployStepSchema,
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
});
export type DeployLogLine = z.infer<typeof deployLogLineSchema>;

/** What preflight learned about a device. */
export const deviceFactsSchema = z.object({
  arch: z.string().nullable(),
  kernel: z.string().nullable(),
  availableBytes: z.number().nullable(),
  hasher: z.string().nullable(),
  notes: z.array(z.string()),
});
export type DeviceFacts = z.infer<typeof deviceFactsSchema>;

export const deviceResultSchema = z.object({
  deploymentId: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  position: z.number().int(),
  status: deviceDeployStatusSchema,
  /** The last step started: where a failed or interrupted device stopped. */
  step: deployStepSchema.nullable(),
  bytesSent: z.number().int(),
  bytesTotal: z.number().int(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  stepDurationsMs: z.record(z.string(), z.number()),
  log: z.array(deployLogLineSchema),
  error: appErrorSchema.nullable(),
  /** Release names as the device's `current` link said before and after. */
  releaseBefore: z.string().nullable(),
  releaseAfter: z.string().nullable(),
  facts: deviceFactsSchema.nullable(),
});
export type DeviceResult = z.infer<typeof deviceResultSchema>;

export const releaseRefSchema = z.object({
  release: z.string(),
  /** null when the release is known only by name (it was there before EdgeFleet recorded anything). */
  sha256: z.string().nullable(),
  variantId: z.string().nullable(),
  version: z.string().nullable(),
});
export type ReleaseRef = z.infer<typeof releaseRefSchema>;

export const deviceReleaseSchema = z.object({
  deviceId: z.string(),
  deviceName: z.string(),
  deployRoot: z.string(),
  modelName: z.string(),
  current: releaseRefSchema.nullable(),
  previous: releaseRefSchema.nullable(),
  /** What last changed this record: a deploy, a rollback, or a drift check that adopted the device's state. */
  source: z.enum(['deploy', 'rollback', 'drift']),
  deploymentId: z.string().nullable(),
  updatedAt: z.string(),
});
export type DeviceRelease = z.infer<typeof deviceReleaseSchema>;

export const deploymentReportSchema = z.object({
  deployment: deploymentSchema,
  devices: z.array(deviceResultSchema),
});
export type DeploymentReport = z.infer<typeof deploymentReportSchema>;

/** One device's progress, as often as every 100 ms during an upload. */
export const deployProgressSchema = z.object({
  deploymentId: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  step: deployStepSchema,
  status: deviceDeployStatusSchema,
  bytesSent: z.number().int(),
  bytesTotal: z.number().int(),
  bytesPerSec: z.number(),
  message: z.string().optional(),
  devicesDone: z.number().int(),
  devicesTotal: z.number().int(),
});
export type DeployProgress = z.infer<typeof deployProgressSchema>;

export const driftStateSchema = z.enum([
  'in_sync',
  /** The device runs a valid EdgeFleet release, but not the one the database says. */
  'different_version',
  /** The active file's sha256 differs from its manifest: it was changed on the device. */
  'modified',
  /** The database says a release is active, but the device has none (or its file is gone). */
  'missing',
  /** Something runs there that EdgeFleet did not deploy (no valid manifest, or not in the database). */
  'unknown',
]);
export type DriftState = z.infer<typeof driftStateSchema>;

export const driftResultSchema = z.object({
  deviceId: z.string(),
  deviceName: z.string(),
  modelName: z.string(),
  state: driftStateSchema,
  expected: releaseRefSchema.nullable(),
  observed: z.object({
    /** Target of `current`, without `releases/`; null when there is no link. */
    release: z.string().nullable(),
    manifestSha256: z.string().nullable(),
    fileSha256: z.string().nullable(),
    manifest: z.unknown().nullable(),
  }),
  message: z.string(),
  /** True when this check updated the database to what the device runs (reconcile). */
  adopted: z.boolean(),
});
export type DriftResult = z.infer<typeof driftResultSchema>;

export const driftReportSchema = z.object({
  checkedAt: z.string(),
  results: z.array(driftResultSchema),
  /** Devices that could not be read (unreachable, host key…): nothing is concluded about them. */
  errors: z.array(z.object({ deviceId: z.string(), deviceName: z.string(), error: appErrorSchema })),
});
export type DriftReport = z.infer<typeof driftReportSchema>;

/** deploy.preview: per target device, what it runs now and what a deploy of the model would do there. */
export const deployPreviewSchema = z.object({
  modelId: z.string(),
  /** The directory name on the devices (the parent model's name for a variant). */
  modelName: z.string(),
  /** The library name of what is deployed: the variant itself, named in the preflight. */
  variantName: z.string(),
  sizeBytes: z.number().int(),
  devices: z.array(
    z.object({
      deviceId: z.string(),
      deviceName: z.string(),
      host: z.string(),
      deployRoot: z.string(),
      /** Pinned host key present: without it the deploy refuses the device. */
      trusted: z.boolean(),
      current: releaseRefSchema.nullable(),
      /** The device already runs this exact file: the deploy leaves it alone. */
      unchanged: z.boolean(),
      /**
       * The recorded release is this one, but the last drift check found its file modified on the device:
       * the deploy sends it again and repairs it (so not `unchanged`).
       */
      repair: z.boolean(),
      /** Free disk at the deploy root from the last probe, null when never probed. */
      freeDiskBytes: z.number().nullable(),
      /** Preflight concerns known without connecting (untrusted, too little disk at last probe, …). */
      notes: z.array(z.string()),
    }),
  ),
});
export type DeployPreview = z.infer<typeof deployPreviewSchema>;
