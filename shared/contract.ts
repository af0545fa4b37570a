import { z } from 'zod';
import {
  importResultSchema,
  modelNameSchema,
  modelRefSchema,
  modelSchema,
  removeResultSchema,
} from './schemas/models';
import {
  jobDoneSchema,
  jobFailedSchema,
  jobHandleSchema,
  jobIdSchema,
  jobProgressSchema,
  jobStateSchema,
} from './schemas/jobs';
import { modelLineageSchema } from './schemas/lineage';
import { imagePreprocessSchema, methodOptionsSchema } from './schemas/optimize';
import {
  deployOptionsSchema,
  deployPreviewSchema,
  deploymentReportSchema,
  deploymentSchema,
  deviceReleaseSchema,
  driftReportSchema,
} from './schemas/deploy';
import {
  deviceInputSchema,
  devicePatchSchema,
  deviceRefSchema,
  deviceSchema,
  deviceTagSchema,
  exportFormatSchema,
  exportResultSchema,
  hostKeyScanSchema,
  importFormatSchema,
  importReportSchema,
  probeOutcomeSchema,
  secretKindSchema,
  statusOutcomeSchema,
  targetsSchema,
  trustOutcomeSchema,
} from './schemas/fleet';
import {
  benchReportSchema,
  benchResultSchema,
  benchTargetKindSchema,
  hardwareProfileIdSchema,
  hardwareProfileSchema,
  profileImportResultSchema,
} from './schemas/bench';

/**
 * A file the user chose (native dialog) or uploaded (web console). The renderer never sends paths:
 * main hands out these opaque references and resolves them itself.
 */
const fileRefSchema = z.string().regex(/^f_[0-9a-f]{32}$/, 'not a file reference');

export const pickedFileSchema = z.object({
  fileRef: fileRefSchema,
  fileName: z.string(),
  sizeBytes: z.number().int(),
});
export type PickedFile = z.infer<typeof pickedFileSchema>;

/** Calibration or evaluation data chosen in the UI: a picked/uploaded file or folder, or random data. */
const dataInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('npy'), fileRef: fileRefSchema }).strict(),
  z.object({ kind: z.literal('images'), fileRef: fileRefSchema, preprocess: imagePreprocessSchema }).strict(),
  z
    .object({
      kind: z.literal('random'),
      count: z.number().int().positive().max(10_000).default(32),
      seed: z.number().int().default(1),
    })
    .strict(),
]);
export type DataInput = z.infer<typeof dataInputSchema>;

const empty = z.object({}).strict();

/** Free dimension name or input name → value(s) for a benchmark (symbolic dims, or an input's whole shape). */
const benchDimName = z.string().min(1).max(256);

/**
 * A benchmark from the UI: measure on this machine (`local`) and/or on fleet devices over SSH, estimate on
 * hardware profiles. One stop rule at most: `iterations` or `durationS` (default: 2 s, at least 10 runs).
 */
const benchRunParamsSchema = z
  .object({
    models: z.array(modelRefSchema).min(1, 'pick at least one model').max(64),
    profiles: z.union([z.literal('all'), z.array(hardwareProfileIdSchema).max(256)]).optional(),
    /** Measure on this machine. Default true. */
    local: z.boolean().optional(),
    devices: z.array(deviceRefSchema).max(32).optional(),
    iterations: z.number().int().positive().max(1_000_000).optional(),
    durationS: z.number().positive().max(3600).optional(),
    threads: z.number().int().positive().max(1024).optional(),
    dims: z.record(benchDimName, z.number().int().positive().max(1_000_000)).optional(),
    shapes: z
      .record(benchDimName, z.array(z.number().int().positive().max(1_000_000)).min(1).max(16))
      .optional(),
  })
  .strict()
  .refine((p) => p.iterations === undefined || p.durationS === undefined, {
    message: 'give iterations or durationS, not both',
    path: ['durationS'],
  })
  .refine(
    (p) =>
      p.local !== false ||
      p.profiles === 'all' ||
      (p.profiles?.length ?? 0) > 0 ||
      (p.devices?.length ?? 0) > 0,
    { message: 'nothing to run: measure locally, or pick profiles or devices', path: ['local'] },
  );
export type BenchRunParams = z.infer<typeof benchRunParamsSchema>;

type MethodSpec = {
  params: z.ZodType;
  result: z.ZodType;
  /** For long work: the call returns a job handle at once, and this is the schema of `job.done`'s result. */
  job?: z.ZodType;
};

/** The whole surface between the UI and main. Names are `domain.verb`. */
export const contract = {
  'app.info': {
    params: empty,
    result: z.object({
      version: z.string(),
      dataDir: z.string(),
      onnxRuntimeVersion: z.string(),
      shell: z.enum(['electron', 'web']),
      /** The desktop app can keep a ticked password/passphrase encrypted by the OS key store (safeStorage). */
      canRememberSecrets: z.boolean().optional(),
    }),
  },
  'files.pickModel': {
    params: empty,
    result: pickedFileSchema.nullable(),
  },
  'models.list': {
    params: empty,
    result: z.array(modelSchema),
  },
  'models.get': {
    params: z.object({ ref: modelRefSchema }).strict(),
    result: modelSchema,
  },
  /** Its benchmarks and the devices that run it now (release names): the lineage after the recipe. */
  'models.lineage': {
    params: z.object({ ref: modelRefSchema }).strict(),
    result: modelLineageSchema,
  },
  'models.import': {
    params: z.object({ fileRef: fileRefSchema, name: modelNameSchema.optional() }).strict(),
    result: jobHandleSchema,
    job: importResultSchema,
  },
  'files.pickData': {
    /** `use` picks the native dialog's title and file-type filters (default: calibration/evaluation data). */
    params: z
      .object({
        kind: z.enum(['file', 'folder']),
        use: z.enum(['data', 'inventories', 'profiles']).optional(),
      })
      .strict(),
    result: pickedFileSchema.nullable(),
  },
  /**
   * A private key chosen in the native dialog (desktop only): its path may then be a device's key path even
   * outside ~/.ssh. The path is returned because the device record keeps it.
   */
  'files.pickKey': {
    params: empty,
    result: z.object({ keyPath: z.string() }).nullable(),
  },
  'optimize.run': {
    params: z
      .object({
        model: modelRefSchema,
        name: modelNameSchema.optional(),
        options: methodOptionsSchema,
        calibration: dataInputSchema.optional(),
        evaluation: dataInputSchema.optional(),
      })
      .strict(),
    result: jobHandleSchema,
    job: importResultSchema,
  },
  'models.remove': {
    params: z.object({ ref: modelRefSchema }).strict(),
    result: removeResultSchema,
  },
  'jobs.get': {
    params: z.object({ jobId: jobIdSchema }).strict(),
    result: jobStateSchema,
  },
  'jobs.cancel': {
    params: z.object({ jobId: jobIdSchema }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  },
  // Device inventory. Targets are device names, `tag:<tag>`, or `all`.
  'devices.list': {
    params: z.object({ tag: deviceTagSchema.optional() }).strict(),
    result: z.array(deviceSchema),
  },
  'devices.get': {
    params: z.object({ ref: deviceRefSchema }).strict(),
    result: deviceSchema,
  },
  'devices.add': {
    params: deviceInputSchema,
    result: deviceSchema,
  },
  'devices.update': {
    params: z.object({ ref: deviceRefSchema, patch: devicePatchSchema }).strict(),
    result: deviceSchema,
  },
  /**
   * Checks a private key path when a device is added or edited, so a missing or unreadable key file is
   * reported at the field, not at the first connection. FILE_NOT_FOUND / FILE_UNREADABLE otherwise.
   */
  'devices.checkKeyFile': {
    params: z.object({ path: z.string().trim().min(1).max(4096) }).strict(),
    result: z.object({ path: z.string() }),
  },
  'devices.remove': {
    params: z.object({ ref: deviceRefSchema }).strict(),
    result: z.object({ id: z.string(), name: z.string() }),
  },
  'devices.tag': {
    params: z
      .object({
        refs: targetsSchema,
        add: z.array(deviceTagSchema).optional(),
        remove: z.array(deviceTagSchema).optional(),
      })
      .strict(),
    result: z.array(deviceSchema),
  },
  /** Every key the targets present, to show before trusting; pins nothing. */
  'devices.scanHostKeys': {
    params: z.object({ targets: targetsSchema }).strict(),
    result: jobHandleSchema,
    job: z.array(hostKeyScanSchema),
  },
  /**
   * Pins, per device, only a presented key whose fingerprint the user saw for that device (its own key, and
   * its ad-hoc jump host's). A key that differs from what was shown is refused with HOST_KEY_CHANGED: the
   * UI cannot pin blindly.
   */
  'devices.trust': {
    params: z
      .object({
        devices: z
          .array(
            z
              .object({
                ref: deviceRefSchema,
                fingerprints: z.array(z.string().min(1).max(100)).min(1).max(2),
              })
              .strict(),
          )
          .min(1)
          .max(10_000),
      })
      .strict(),
    result: z.array(trustOutcomeSchema),
  },
  'devices.probe': {
    params: z.object({ targets: targetsSchema }).strict(),
    result: jobHandleSchema,
    job: z.array(probeOutcomeSchema),
  },
  'devices.status': {
    params: z.object({ targets: targetsSchema }).strict(),
    result: jobHandleSchema,
    job: z.array(statusOutcomeSchema),
  },
  /**
   * A password or key passphrase (asked when SECRET_REQUIRED says so): for this session, and with `remember`
   * also kept encrypted by the desktop app's OS key store; `remembered` says whether it was.
   */
  'devices.provideSecret': {
    params: z
      .object({
        ref: deviceRefSchema,
        kind: secretKindSchema,
        secret: z.string().min(1).max(4096),
        remember: z.boolean().optional(),
      })
      .strict(),
    result: z.object({ ok: z.literal(true), remembered: z.boolean() }),
  },
  /** Rejected rows fail the call with IMPORT_INVALID (details.report), nothing written, unless skipInvalid. */
  'devices.import': {
    params: z
      .object({
        fileRef: fileRefSchema,
        format: importFormatSchema.optional(),
        skipInvalid: z.boolean().optional(),
      })
      .strict(),
    result: importReportSchema,
  },
  'devices.export': {
    params: z.object({ format: exportFormatSchema, tag: deviceTagSchema.optional() }).strict(),
    result: exportResultSchema,
  },
  // Benchmarks: measured (this machine, devices) and estimated (hardware profiles); every figure is stored.
  'bench.run': {
    params: benchRunParamsSchema,
    result: jobHandleSchema,
    job: benchReportSchema,
  },
  /** Stored results, newest first. */
  'bench.results': {
    params: z
      .object({
        model: modelRefSchema.optional(),
        target: z
          .object({ kind: benchTargetKindSchema, id: z.string().min(1).max(256) })
          .strict()
          .optional(),
        limit: z.number().int().positive().max(10_000).optional(),
      })
      .strict(),
    result: z.array(benchResultSchema),
  },
  /** Built-in and imported profiles ("this-machine" is measured on request: profiles.get). */
  'profiles.list': {
    params: empty,
    result: z.array(hardwareProfileSchema),
  },
  /** One profile; "this-machine" calibrates this computer with ORT micro-runs (seconds) or reuses a recent one. */
  'profiles.get': {
    params: z.object({ id: hardwareProfileIdSchema }).strict(),
    result: hardwareProfileSchema,
  },
  /** A JSON or YAML file of user profiles; a bad file fails with PROFILE_INVALID (details.issues: path, message). */
  'profiles.import': {
    params: z.object({ fileRef: fileRefSchema }).strict(),
    result: profileImportResultSchema,
  },
  'profiles.remove': {
    params: z.object({ id: hardwareProfileIdSchema }).strict(),
    result: z.object({ id: z.string() }),
  },
  /** What a deploy would do, from the database alone (no SSH): what each target runs now, what would change. */
  'deploy.preview': {
    params: z
      .object({ model: modelRefSchema, targets: targetsSchema, options: deployOptionsSchema.optional() })
      .strict(),
    result: deployPreviewSchema,
  },
  'deploy.run': {
    params: z
      .object({ model: modelRefSchema, targets: targetsSchema, options: deployOptionsSchema.optional() })
      .strict(),
    result: jobHandleSchema,
    job: deploymentReportSchema,
  },
  /** What runs where, per device and model. */
  'deploy.status': {
    params: z.object({ device: z.string().min(1).max(256).optional() }).strict(),
    result: z.array(deviceReleaseSchema),
  },
  'deploy.history': {
    params: z
      .object({
        limit: z.number().int().min(1).max(1000).optional(),
        device: z.string().min(1).max(256).optional(),
      })
      .strict(),
    result: z.array(deploymentSchema),
  },
  'deploy.report': {
    params: z.object({ id: z.string().min(1).max(64) }).strict(),
    result: deploymentReportSchema,
  },
  'deploy.drift': {
    params: z.object({ targets: targetsSchema, reconcile: z.boolean().optional() }).strict(),
    result: jobHandleSchema,
    job: driftReportSchema,
  },
  'deploy.rollback': {
    params: z
      .object({
        targets: targetsSchema,
        model: z.string().min(1).max(256).optional(),
        toRelease: z.string().min(1).max(256).optional(),
        options: deployOptionsSchema.optional(),
      })
      .strict(),
    result: jobHandleSchema,
    job: deploymentReportSchema,
  },
} satisfies Record<string, MethodSpec>;

type Contract = typeof contract;
export type Method = keyof Contract;
export type Params<M extends Method> = z.input<Contract[M]['params']>;
export type ParsedParams<M extends Method> = z.output<Contract[M]['params']>;
export type ResultOf<M extends Method> = z.output<Contract[M]['result']>;
export type JobMethod = { [M in Method]: Contract[M] extends { job: z.ZodType } ? M : never }[Method];
export type JobResultOf<M extends JobMethod> = Contract[M] extends { job: infer J extends z.ZodType }
  ? z.output<J>
  : never;

export const methods = Object.keys(contract) as Method[];

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

/** Events pushed from main to the UI. */
export const events = {
  'job.progress': jobProgressSchema,
  'job.done': jobDoneSchema,
  'job.failed': jobFailedSchema,
} as const;
export type Events = typeof events;
type EventName = keyof Events;
type EventPayload<E extends EventName> = z.output<Events[E]>;
export type AnyEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
