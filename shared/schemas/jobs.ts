import { z } from 'zod';
import { appErrorSchema } from '../errors';

export const jobIdSchema = z.string().min(1).max(64);

export const jobHandleSchema = z.object({ jobId: jobIdSchema });
export type JobHandle = z.infer<typeof jobHandleSchema>;

export const jobProgressSchema = z.object({
  jobId: jobIdSchema,
  kind: z.string(),
  phase: z.string(),
  /** 0…100, or null when the amount of work is not known yet. */
  percent: z.number().min(0).max(100).nullable(),
  message: z.string().optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobDoneSchema = z.object({ jobId: jobIdSchema, kind: z.string(), result: z.unknown() });
export const jobFailedSchema = z.object({ jobId: jobIdSchema, kind: z.string(), error: appErrorSchema });
