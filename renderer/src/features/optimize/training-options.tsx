import { Checkbox, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import type { Model } from '../../../../shared/schemas/models';
import type { DistillConfig, QatConfig } from '../../../../shared/schemas/optimize';
import { CalibratorField } from './calibrator-field';

type StudentKind = 'width' | 'self' | 'model';

/** 'width:0.5' → width, 'self' → self, 'model:<id>' → model (the config's own spelling is the form's state). */
function studentKind(student: string): StudentKind {
  if (student === 'self') return 'self';
  return student.startsWith('model:') ? 'model' : 'width';
}

/** The hyper-parameters both training methods share: epochs, temperature, alpha, learning rate, batch size. */
type Shared = Pick<DistillConfig, 'epochs' | 'temperature' | 'alpha' | 'learningRate' | 'batchSize'>;

function TrainingFields<C extends Shared>({
  config,
  set,
  disabled,
}: {
  config: C;
  set: (p: Partial<Shared>) => void;
  disabled?: boolean;
}) {
  // Empty or out-of-range typing is left to the contract's schema: the run button says what to fix.
  const num = (v: string | number) => (typeof v === 'number' ? v : Number.NaN);
  return (
    <SimpleGrid cols={2} spacing="xs">
      <NumberInput
        size="xs"
        label="Epochs"
        min={1}
        max={1000}
        allowDecimal={false}
        value={config.epochs}
        onChange={(v) => set({ epochs: num(v) })}
        disabled={disabled}
        data-testid="option-epochs"
      />
      <NumberInput
        size="xs"
        label="Batch size"
        min={1}
        max={4096}
        allowDecimal={false}
        value={config.batchSize}
        onChange={(v) => set({ batchSize: num(v) })}
        disabled={disabled}
        data-testid="option-batch-size"
      />
      <NumberInput
        size="xs"
        label="Learning rate"
        description="Adam; lower it if the loss jumps or becomes NaN."
        min={0}
        max={1}
        step={0.0001}
        decimalScale={6}
        value={config.learningRate}
        onChange={(v) => set({ learningRate: num(v) })}
        disabled={disabled}
        data-testid="option-learning-rate"
      />
      <NumberInput
        size="xs"
        label="Temperature"
        description="Softens the teacher's answers: 2–8 passes on more of what it knows."
        min={0}
        max={100}
        step={0.5}
        decimalScale={3}
        value={config.temperature}
        onChange={(v) => set({ temperature: num(v) })}
        disabled={disabled}
        data-testid="option-temperature"
      />
      <NumberInput
        size="xs"
        label="Alpha"
        description="Weight of the teacher's term; 1 − alpha goes to labels when the data has them."
        min={0}
        max={1}
        step={0.1}
        decimalScale={3}
        value={config.alpha}
        onChange={(v) => set({ alpha: num(v) })}
        disabled={disabled}
        data-testid="option-alpha"
      />
    </SimpleGrid>
  );
}

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
  const width = kind === 'width' ? Number(config.student.slice('width:'.length)) : 0.5;
  const switchTo = (next: StudentKind) => {
    if (next === kind) return;
    set({ student: next === 'self' ? 'self' : next === 'width' ? 'width:0.5' : 'model:' });
  };
  const candidates = models
    .filter((m) => m.id !== teacherId)
    .map((m) => ({ value: m.id, label: m.method ? `${m.name} · ${m.method}` : m.name }));
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
          value={Number.isFinite(width) ? Math.round(width * 1000) / 10 : ''}
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
