import { z } from 'zod';
import { AppError, appErrorSchema, type AppErrorData } from './errors';

/** The envelope every transport carries (after Signal's wrapResult). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorData };

export const resultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: appErrorSchema }),
]);

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(error: AppError): Result<never> {
  return { ok: false, error: error.toData() };
}

/** Client side: turns an envelope back into a value or a thrown AppError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.error.code, result.error.message, result.error.details);
}
