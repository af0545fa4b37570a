import { Checkbox, NumberInput, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import type { Model } from '../../../../shared/schemas/models';
import type { DistillConfig, QatConfig } from '../../../../shared/schemas/optimize';
import { CalibratorField } from './calibrator-field';
import { TrainingFields } from './training-fields';
import {
  firstStudent,
  studentCandidates,
  studentKind,
  studentWidth,
  type StudentKind,
} from './student-choice';

/** Distillation: which student, and how it trains. */
export function DistillOptions({
  config,
  set,
  models,
  teacherId,
  error,
  disabled,
}: {
  config: DistillConfig;
  set: (p: Partial<DistillConfig>) => void;
  /** The library, for an imported student. */
  models: readonly Model[];
  teacherId: string | null;
  /** The form's problem with the student, shown under it. */
  error?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const kind = studentKind(config.student);
  const width = studentWidth(config.student);
  const switchTo = (next: StudentKind) => {
    if (next !== kind) set({ student: firstStudent(next) });
  };
  const candidates = studentCandidates(models, teacherId);
  return (
    <Stack gap="xs" data-testid="distill-options">
      <Text size="xs" fw={500} id={`${id}-student`}>
        Student
      </Text>
      <SegmentedControl
        size="xs"
        fullWidth
        value={kind}
        onChange={(v) => switchTo(v as StudentKind)}
        data={[
          { value: 'width', label: 'Narrower copy' },
          { value: 'self', label: 'Same model' },
          { value: 'model', label: 'Imported model' },
        ]}
        aria-labelledby={`${id}-student`}
        disabled={disabled}
        data-testid="option-student-kind"
      />
      {kind === 'width' && (
        <NumberInput
          size="xs"
          label="Keep this % of the channels"
          description="Of every layer the pruning pass can narrow; about the square of it in MACs."
          min={1}
          max={100}
          suffix=" %"
          value={width}
          onChange={(v) => set({ student: `width:${typeof v === 'number' ? v / 100 : Number.NaN}` })}
          error={error}
          disabled={disabled}
          data-testid="option-student-width"
        />
      )}
      {kind === 'self' && (
        <Text size="xs" c="dimmed">
          The model trains on its own answers: useful to adapt it to your data, not to make it smaller.
        </Text>
      )}
      {kind === 'model' && (
        <Select
          size="xs"
          label="Student model"
          description="Its outputs must have the teacher's shapes (else STUDENT_MISMATCH)."
          placeholder={candidates.length === 0 ? 'Import the student on the Models page first' : 'Pick'}
          data={candidates}
          value={config.student.slice('model:'.length) || null}
          onChange={(v) => set({ student: `model:${v ?? ''}` })}
          searchable
          error={error}
          disabled={disabled || candidates.length === 0}
          comboboxProps={{ withinPortal: true }}
          data-testid="option-student-model"
        />
      )}
      <TrainingFields config={config} set={set} disabled={disabled} />
    </Stack>
  );
}

/** QAT: where Q/DQ go (the static INT8 recipe) and how the fine-tune runs. */
export function QatOptions({
  config,
  set,
  disabled,
}: {
  config: QatConfig;
  set: (p: Partial<QatConfig>) => void;
  disabled?: boolean;
}) {
  return (
    <Stack gap="xs" data-testid="qat-options">
      <CalibratorField
        value={config.calibrator}
        onChange={(calibrator) => set({ calibrator })}
        disabled={disabled}
      />
      <Checkbox
        size="xs"
        label="Per-channel weights"
        description="One weight scale per output channel (opset ≥ 13, raised when safe)."
        checked={config.perChannel ?? true}
        onChange={(e) => set({ perChannel: e.currentTarget.checked })}
        disabled={disabled}
        data-testid="option-per-channel"
      />
      <TrainingFields config={config} set={set} disabled={disabled} />
    </Stack>
  );
}
