import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import type { Model } from '../../../../shared/schemas/models';
import { DataFilesField } from './data-files-field';
import { switchDataKind, type DataKind } from './data-source';
import type { DataChoice } from './optimize-form';
import { RandomDataFields } from './random-data-fields';

type DataSourceFieldProps = {
  label: string;
  /** Which choices this field offers, with their labels ("Held-out calibration samples" …). */
  kinds: ReadonlyArray<{ kind: DataKind; label: string }>;
  value: DataChoice;
  onChange: (value: DataChoice) => void;
  model: Model | undefined;
  /** Prefix of the test ids: `calibration`, `evaluation`. */
  testId: string;
  disabled?: boolean;
  /** Shown under the choice when it is 'none'. */
  noneHelp?: string;
};

/**
 * Calibration or evaluation data: a folder or an .npy file (uploaded from the browser, or chosen in the
 * desktop's dialog), or N random samples with a visible warning.
 */
export function DataSourceField(props: DataSourceFieldProps) {
  const { label, kinds, value, onChange, model, testId, disabled, noneHelp } = props;
  const id = useId();
  const switchTo = (kind: DataKind) => {
    const next = switchDataKind(value, kind);
    if (next) onChange(next);
  };
  return (
    <Stack gap={6} data-testid={`${testId}-field`}>
      <Text size="xs" fw={500} id={`${id}-label`}>
        {label}
      </Text>
      <SegmentedControl
        size="xs"
        fullWidth
        value={value.kind}
        onChange={(v) => switchTo(v as DataKind)}
        data={kinds.map((k) => ({ value: k.kind, label: k.label }))}
        aria-labelledby={`${id}-label`}
        disabled={disabled}
        data-testid={`${testId}-kind`}
      />
      {value.kind === 'none' && noneHelp && (
        <Text size="xs" c="dimmed">
          {noneHelp}
        </Text>
      )}
      {value.kind === 'random' && (
        <RandomDataFields value={value} onChange={onChange} testId={testId} disabled={disabled} />
      )}
      {value.kind === 'data' && (
        <DataFilesField value={value} onChange={onChange} model={model} testId={testId} disabled={disabled} />
      )}
    </Stack>
  );
}
