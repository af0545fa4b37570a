import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import type { Calibrator } from '../../../../shared/schemas/optimize';

const calibratorHelp: Record<Calibrator, string> = {
  minmax: 'The full observed range. Fast and safe; outliers widen the range and cost precision.',
  percentile: 'Clips the range at a percentile of |values|: robust to rare outliers.',
  entropy:
    'Picks the range that keeps the distribution closest (KL divergence). Slowest; often best for ReLU nets.',
};

/** How activation ranges are measured: shared by static INT8 and the auto search (which calibrates too). */
export function CalibratorField({
  value,
  onChange,
  disabled,
}: {
  value: Calibrator;
  onChange: (calibrator: Calibrator) => void;
  disabled?: boolean;
}) {
  const labelId = useId();
  return (
    <Stack gap={2}>
      <Text size="xs" fw={500} id={labelId}>
        Calibrator
      </Text>
      <SegmentedControl
        size="xs"
        fullWidth
        value={value}
        onChange={(v) => onChange(v as Calibrator)}
        data={[
          { value: 'minmax', label: 'MinMax' },
          { value: 'percentile', label: 'Percentile' },
          { value: 'entropy', label: 'Entropy (KL)' },
        ]}
        disabled={disabled}
        aria-labelledby={labelId}
        data-testid="option-calibrator"
      />
      <Text size="xs" c="dimmed">
        {calibratorHelp[value]}
      </Text>
    </Stack>
  );
}
