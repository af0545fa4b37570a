import { z } from 'zod';

/**
 * Every failure that crosses a boundary (transport, CLI, job) carries one of these codes.
 * `kind` decides the CLI exit code: 'input' → 1 (bad input or refused), 'usage' → 2, 'internal' → 3.
 */
export const errorCodes = {
  BAD_REQUEST: 'input',
  USAGE: 'usage',
  UNKNOWN_METHOD: 'input',
  UNAUTHORIZED: 'input',
  FORBIDDEN: 'input',
  NOT_FOUND: 'input',
  FILE_NOT_FOUND: 'input',
  FILE_UNREADABLE: 'input',
  FILE_EMPTY: 'input',
  MODEL_INVALID: 'input',
  MODEL_TOO_LARGE: 'input',
  FILE_TOO_LARGE: 'input',
  MODEL_UNSUPPORTED: 'input',
  EXTERNAL_DATA_MISSING: 'input',
  EXTERNAL_DATA_INVALID: 'input',
  UNKNOWN_OPSET_DOMAIN: 'input',
  MODEL_IN_USE: 'input',
  NAME_TAKEN: 'input',
  DB_TOO_NEW: 'input',
  CANCELLED: 'input',
  HOST_KEY_UNKNOWN: 'input',
  HOST_KEY_MISMATCH: 'input',
  AUTH_FAILED: 'input',
  UNREACHABLE: 'input',
  TIMEOUT: 'input',
  REMOTE_COMMAND_FAILED: 'input',
  FINGERPRINT_MISMATCH: 'input',
  /** Calibration/evaluation data: a corrupt or unsupported .npy/image/labels file. */
  DATA_INVALID: 'input',
  /** Calibration/evaluation data whose dtype or shape does not fit the model's input. */
  DATA_SHAPE_MISMATCH: 'input',
  /** A data folder with no samples in it. */
  DATA_EMPTY: 'input',
  CALIBRATION_REQUIRED: 'input',
  INTERNAL: 'internal',
} as const;

export type ErrorCode = keyof typeof errorCodes;

export const errorCodeSchema = z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]);

export const appErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type AppErrorData = z.infer<typeof appErrorSchema>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toData(): AppErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Anything thrown becomes an AppError; unknown failures are INTERNAL and keep their message. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('INTERNAL', `Internal error: ${message}. Please report it with the log file.`);
}

export function isInternal(code: ErrorCode): boolean {
  return errorCodes[code] === 'internal';
}

/** CLI exit codes: 0 ok, 1 bad input or refused, 2 usage, 3 internal. */
export function exitCodeFor(code: ErrorCode): 1 | 2 | 3 {
  const kind = errorCodes[code];
  return kind === 'internal' ? 3 : kind === 'usage' ? 2 : 1;
}
