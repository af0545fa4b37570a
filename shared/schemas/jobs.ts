import { z } from 'zod';
import { appErrorSchema } from '../errors';

export const jobIdSchema = z.string().min(1).max(64);

export const jobHandleSchema = z.object({ jobId: jobIdSchema });

export const jobProgressSchema = z.object({
  jobId: jobIdSchema,
  kind: z.string(),
  phase: z.string(),
  /** 0…100, or null when the amount of work is not known yet. */
  percent: z.number().min(0).max(100).nullable(),
  message: z.string().optional(),
  /** Structured progress of one part of the job (one device of a rollout …); `key` names the part. */
  detail: z.looseObject({ key: z.string() }).optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobDoneSchema = z.object({ jobId: jobIdSchema, kind: z.string(), result: z.unknown() });
export const jobFailedSchema = z.object({ jobId: jobIdSchema, kind: z.string(), error: appErrorSchema });

/** A job's state on request: for a client that reconnects and may have missed its events. */
export const jobStateSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('running'),
    kind: z.string(),
    progress: jobProgressSchema.omit({ jobId: true, kind: true }).nullable(),
  }),
  z.object({ status: z.literal('done'), kind: z.string(), result: z.unknown() }),
  z.object({ status: z.literal('failed'), kind: z.string(), error: appErrorSchema }),
  z.object({ status: z.literal('unknown') }),
]);
export type JobState = z.infer<typeof jobStateSchema>;
