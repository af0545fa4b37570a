import type { AppError } from '../../../../shared/errors';
import type { AutoReport } from '../../../../shared/schemas/optimize';
import { verdictTone } from '../../components/auto-report/auto-report-model';

/** What a failure code lets the user do right here, besides reading the message. */
export type FixAction = { label: string; run: () => void };

/** The sentence before the new variant's link: stored, already there, or what an auto search concluded. */
export function doneHeadline(existed: boolean, parent: string, auto: AutoReport | undefined): string {
  if (existed) return 'Same bytes as the variant already in the library:';
  if (!auto) return `Stored the variant of “${parent}”:`;
  const stored = auto.candidates.filter((c) => c.savedAs !== null).length;
  const others = stored > 1 ? ` (and ${stored - 1} more on the Pareto front, linked below)` : '';
  switch (verdictTone(auto)) {
    case 'recommended':
      return `Stored the recommended variant of “${parent}”${others}:`;
    case 'deploy-parent':
      return `For speed, deploy “${parent}” itself; saved for size only${others}:`;
    case 'goal-not-met':
      return `Goal not met; saved the closest variant of “${parent}” for reference${others}:`;
  }
}

const titles: Partial<Record<AppError['code'], string>> = {
  CALIBRATION_REQUIRED: 'Calibration data needed',
  OPSET_TOO_OLD: 'The model’s opset is too old for this',
  NOTHING_TO_QUANTIZE: 'Nothing to quantize',
  ALREADY_QUANTIZED: 'This model is already quantized',
  DATA_SHAPE_MISMATCH: 'The data does not fit the model’s input',
  DATA_INVALID: 'The data cannot be read',
  DATA_EMPTY: 'No samples in the data',
  NAME_TAKEN: 'That name is taken',
  NOT_FOUND: 'Something is no longer available',
  STUDENT_MISMATCH: 'The student does not match the teacher',
  TRAIN_UNSUPPORTED_OP: 'The training engine cannot train this model',
  TRAINING_DIVERGED: 'Training diverged',
};

/** A failure's title in the words of its code; the message below says what to do. */
export function failureTitle(error: AppError): string {
  return titles[error.code] ?? 'Optimization failed';
}
