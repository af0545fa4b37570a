import type { Model } from '../../../../shared/schemas/models';
import { SectionCard } from '../../components/section-card';
import { DataSourceField } from './data-source-field';
import { Alert } from '@mantine/core';
import { AlertIcon } from '../../components/icons';
import {
  fewSamplesWarning,
  isTraining,
  pruneFineTunes,
  usesCalibration,
  type OptimizeForm,
} from './optimize-form';

type DataCardProps = {
  form: OptimizeForm;
  model: Model | undefined;
  update: (patch: Partial<OptimizeForm>) => void;
  disabled: boolean;
};

/** Calibration data (for the methods that calibrate) and optional evaluation data. */
export function DataCard({ form, model, update, disabled }: DataCardProps) {
  const calibrates = usesCalibration(form.method);
  // Channel pruning takes data only to compensate biases and scan sensitivity, unless it fine-tunes.
  const fineTune = pruneFineTunes(form);
  const optional = form.method === 'prune-channels' && !fineTune;
  const training = isTraining(form.method) || fineTune;
  const few = fewSamplesWarning(form);
  return (
    <SectionCard title="Data" testId="optimize-data-card">
      {calibrates && (
        <DataSourceField
          label={
            training
              ? 'Training data (labels.csv / labels.txt beside it add cross-entropy)'
              : optional
                ? 'Calibration data (optional: channel means, sensitivity)'
                : 'Calibration data'
          }
          kinds={[
            ...(optional ? [{ kind: 'none' as const, label: 'None' }] : []),
            { kind: 'data', label: 'Folder / file' },
            { kind: 'random', label: 'Random' },
          ]}
          value={form.calibration}
          onChange={(calibration) => update({ calibration })}
          noneHelp="Channel means for bias compensation come from random inputs: real samples prune more accurately."
          model={model}
          testId="calibration"
          disabled={disabled}
        />
      )}
      {few && (
        <Alert color="yellow" variant="light" p="xs" icon={<AlertIcon size={14} />} data-testid="few-samples">
          {few}
        </Alert>
      )}
      <DataSourceField
        label="Evaluation data (optional)"
        kinds={[
          { kind: 'none', label: calibrates ? 'Held-out' : 'Default' },
          { kind: 'data', label: 'Folder / file' },
          { kind: 'random', label: 'Random' },
        ]}
        value={form.evaluation}
        onChange={(evaluation) => update({ evaluation })}
        model={model}
        testId="evaluation"
        disabled={disabled}
        noneHelp={
          calibrates
            ? 'Fidelity is measured on calibration samples held out from calibrating (when there are at least two).'
            : 'Fidelity is measured on a few random inputs: indicative only. Give evaluation data for figures you can trust.'
        }
      />
    </SectionCard>
  );
}
