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
} from './schemas/jobs';

/**
 * A file the user chose (native dialog) or uploaded (web console). The renderer never sends paths:
 * main hands out these opaque references and resolves them itself.
 */
export const fileRefSchema = z.string().regex(/^f_[0-9a-f]{32}$/, 'not a file reference');

export const pickedFileSchema = z.object({
  fileRef: fileRefSchema,
  fileName: z.string(),
  sizeBytes: z.number().int(),
});
export type PickedFile = z.infer<typeof pickedFileSchema>;

const empty = z.object({}).strict();

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
  'models.import': {
    params: z.object({ fileRef: fileRefSchema, name: modelNameSchema.optional() }).strict(),
    result: jobHandleSchema,
    job: importResultSchema,
  },
  'models.remove': {
    params: z.object({ ref: modelRefSchema }).strict(),
    result: removeResultSchema,
  },
  'jobs.cancel': {
    params: z.object({ jobId: jobIdSchema }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  },
} satisfies Record<string, MethodSpec>;

export type Contract = typeof contract;
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
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export type AnyEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
