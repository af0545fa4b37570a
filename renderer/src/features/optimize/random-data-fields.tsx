import { Alert, Group, NumberInput, Text } from '@mantine/core';
import { AlertIcon } from '../../components/icons';
import type { DataChoice } from './optimize-form';

/** N random samples with a seed, and the warning that they say nothing about real inputs. */
export function RandomDataFields({
  value,
  onChange,
  testId,
  disabled,
}: {
  value: Extract<DataChoice, { kind: 'random' }>;
  onChange: (value: DataChoice) => void;
  testId: string;
  disabled?: boolean | undefined;
}) {
  return (
    <>
      <Group gap="xs" grow>
        <NumberInput
          size="xs"
          label="Samples"
          min={1}
          max={10_000}
          allowDecimal={false}
          value={value.count}
          onChange={(v) => typeof v === 'number' && onChange({ ...value, count: v })}
          disabled={disabled}
          data-testid={`${testId}-random-count`}
        />
        <NumberInput
          size="xs"
          label="Seed"
          allowDecimal={false}
          value={value.seed}
          onChange={(v) => typeof v === 'number' && onChange({ ...value, seed: v })}
          disabled={disabled}
        />
      </Group>
      <Alert
        color="orange"
        variant="light"
        p={6}
        icon={<AlertIcon size={16} />}
        data-testid={`${testId}-random-warning`}
      >
        <Text size="xs">
          Random inputs are not your data: ranges and fidelity figures are not meaningful for real inputs, and
          accuracy cannot be judged. Use it to try the pipeline, not to ship.
        </Text>
      </Alert>
    </>
  );
}
