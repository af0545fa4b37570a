import { Group, SegmentedControl, Text } from '@mantine/core';
import { useId } from 'react';
import type { DataFormat } from './optimize-form';

/** How the chosen data is read: .npy arrays, or images (a folder only: one .npy file holds arrays). */
export function DataFormatField({
  value,
  onChange,
  imagesAllowed,
  testId,
  disabled,
}: {
  value: DataFormat;
  onChange: (format: DataFormat) => void;
  imagesAllowed: boolean;
  testId: string;
  disabled?: boolean | undefined;
}) {
  const id = useId();
  return (
    <Group gap="xs" align="center">
      <Text size="xs" fw={500} id={`${id}-format`}>
        Format
      </Text>
      <SegmentedControl
        size="xs"
        value={value}
        onChange={(v) => onChange(v as DataFormat)}
        data={[
          { value: 'npy', label: '.npy arrays' },
          { value: 'images', label: 'Images', disabled: !imagesAllowed },
        ]}
        aria-labelledby={`${id}-format`}
        disabled={disabled}
        data-testid={`${testId}-format`}
      />
    </Group>
  );
}
