import { z } from 'zod';

/**
 * Every failure that crosses a boundary (transport, CLI, job) carries one of these codes.
 * `kind` decides the CLI exit code: 'input' → 1 (bad input or refused), 'usage' → 2, 'internal' → 3.
 */
const errorCodes = {
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
  /** A key path the untrusted UI named outside ~/.ssh and not chosen in a native dialog (existence not revealed). */
  KEY_FILE_NOT_ALLOWED: 'input',
  /** A key path that is a FIFO, device, directory or /proc file: never read. */
  KEY_FILE_NOT_REGULAR: 'input',
  /** A key file above 64 KiB: not an SSH private key, never read whole. */
  KEY_FILE_TOO_LARGE: 'input',
  /** devices.trust: the host presents a different key than the fingerprint the user confirmed. */
  HOST_KEY_CHANGED: 'input',
  /** A model input's declared shape cannot be used to make samples (0 or huge dimension): names it and what to do. */
  INPUT_SHAPE_UNUSABLE: 'input',
  /** A device needs a password or key passphrase that was not given in this session (never stored). */
  SECRET_REQUIRED: 'input',
  /** A device is the jump host of others: remove or re-point those first. */
  DEVICE_IN_USE: 'input',
  /** An inventory import had rejected rows; nothing was written (details.report says why per row). */
  IMPORT_INVALID: 'input',
  /** Calibration/evaluation data: a corrupt or unsupported .npy/image/labels file. */
  DATA_INVALID: 'input',
  /** Calibration/evaluation data whose dtype or shape does not fit the model's input. */
  DATA_SHAPE_MISMATCH: 'input',
  /** A data folder with no samples in it. */
  DATA_EMPTY: 'input',
  CALIBRATION_REQUIRED: 'input',
  /** A quantization pass found no node it can quantize (or all were excluded). */
  NOTHING_TO_QUANTIZE: 'input',
  /** The model already holds QuantizeLinear/DequantizeLinear, QLinear… or integer (MatMulInteger…) nodes. */
  ALREADY_QUANTIZED: 'input',
  /** The model's default-domain opset is too old for what was asked (QDQ ≥ 10, per-channel ≥ 13). */
  OPSET_TOO_OLD: 'input',
  /** The FP16 pass found no float32 tensor it may convert (none, or all excluded/blocked). */
  NOTHING_TO_CONVERT: 'input',
  /** `--goal` that does not parse: a usage error, the message gives the grammar. */
  GOAL_INVALID: 'usage',
  /** Pruning options that do not fit together or are out of range (a ratio outside (0, 1) …). */
  PRUNE_CONFIG_INVALID: 'input',
  /** Channel pruning found no group it may prune (every one blocked by an op that mixes channels, or excluded). */
  NOTHING_TO_PRUNE: 'input',
  /** Channel pruning: every channel group feeds a graph output directly, so none can be removed. */
  PRUNE_OUTPUT_CHANNELS: 'input',
  /** Channel pruning: the MAC target is below what removing the most allowed channels reaches. */
  PRUNE_TARGET_UNREACHABLE: 'input',
  /** A feature that exists in the interface but is not built yet (the message says what to do instead). */
  FEATURE_UNAVAILABLE: 'input',
  /** A device has no ONNX Runtime EdgeFleet can drive (python3 + onnxruntime, node + onnxruntime-node, perf_test). */
  NO_RUNTIME: 'input',
  /** The benchmark process could not load or run the model (ORT's message is in the text). */
  BENCH_FAILED: 'input',
  /** The benchmark did not finish in time and was stopped. */
  BENCH_TIMEOUT: 'input',
  /** The benchmark process ran out of memory (or past the memory limit it was given). */
  BENCH_OUT_OF_MEMORY: 'input',
  /** A model input has a symbolic or unknown dimension without a value: give it with --dim or --shape. */
  DIM_REQUIRED: 'input',
  /** A hardware profile (file or field) is not valid; the message names the field and the reason. */
  PROFILE_INVALID: 'input',
  /** Deploy: a device cannot take the release (no write permission, no sha256 tool, no `mv -T`). */
  PREFLIGHT_FAILED: 'input',
  /** Deploy: the device has less free space than 2 × the file size plus the margin. */
  INSUFFICIENT_DISK: 'input',
  /** Deploy: the file on the device (or the local artifact) does not have the expected sha256. */
  CHECKSUM_MISMATCH: 'input',
  /** Deploy: the device's restart command failed after the switch (the device was switched back). */
  RESTART_FAILED: 'input',
  /** Deploy: the health-check command kept failing after the switch (the device was switched back). */
  HEALTH_CHECK_FAILED: 'input',
  /** trtexec could not build the TensorRT engine on the device (before the switch: nothing changed there). */
  ENGINE_BUILD_FAILED: 'input',
  /** Deploy: a device was not attempted because the rollout stopped (canary or failure threshold). */
  DEPLOY_STOPPED: 'input',
  /** Deploy: another deployment is running to that device (details.holder names it); wait, or cancel it. */
  DEVICE_BUSY: 'input',
  /** Rollback: the release to go back to is not on the device (or there is no previous release). */
  RELEASE_NOT_FOUND: 'input',
  /** Deploy with --engine ansible: ansible-playbook is not installed (the message says how to install it). */
  ANSIBLE_NOT_FOUND: 'input',
  /** Ansible results (a run's JSON output, or --import-results FILE) that EdgeFleet cannot read; nothing recorded. */
  ANSIBLE_RESULTS_INVALID: 'input',
  /** Deploy: the process running a deployment died (crash, kill); a drift check shows what devices run. */
  DEPLOY_INTERRUPTED: 'internal',
  /** Training engine: the model has an op (or an op setting) the engine cannot run or differentiate. */
  TRAIN_UNSUPPORTED_OP: 'input',
  /** Distillation: the student's outputs do not match the teacher's (count, shape), or the student is unusable. */
  STUDENT_MISMATCH: 'input',
  /** Training produced a NaN/infinite loss before any good checkpoint existed. */
  TRAINING_DIVERGED: 'input',
  /** A native module (better-sqlite3, onnxruntime-node, sharp, ssh2) is missing or built for another Node/Electron ABI. */
  NATIVE_MODULE_UNAVAILABLE: 'internal',
  INTERNAL: 'internal',
} as const;

export type ErrorCode = keyof typeof errorCodes;

const errorCodeSchema = z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]);

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

/** CLI exit codes: 0 ok, 1 bad input or refused, 2 usage, 3 internal. */
export function exitCodeFor(code: ErrorCode): 1 | 2 | 3 {
  const kind = errorCodes[code];
  return kind === 'internal' ? 3 : kind === 'usage' ? 2 : 1;
}
