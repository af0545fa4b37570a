import { NumberInput, SimpleGrid, Text } from '@mantine/core';
import { optionLimits, type DeployForm } from './deploy-form';

type DeployOptionsProps = {
  form: DeployForm;
  onChange: (patch: Partial<DeployForm>) => void;
  disabled?: boolean;
};

/** How the rollout goes across devices: how many at once, a canary wave first, when to stop. */
export function DeployOptionsFields({ form, onChange, disabled }: DeployOptionsProps) {
  const number = (value: string | number): number => (typeof value === 'number' ? value : Number.NaN);
  return (
    <>
      <SimpleGrid cols={3} spacing="xs">
        <NumberInput
          size="xs"
          label="Concurrency"
          description="Devices at once"
          min={optionLimits.concurrency.min}
          max={optionLimits.concurrency.max}
          allowDecimal={false}
          value={form.concurrency}
          onChange={(v) => onChange({ concurrency: number(v) })}
          disabled={disabled}
          data-testid="deploy-concurrency"
        />
        <NumberInput
          size="xs"
          label="Canary"
          description="First N, then the rest"
          min={optionLimits.canary.min}
          max={optionLimits.canary.max}
          allowDecimal={false}
          value={form.canary}
          onChange={(v) => onChange({ canary: number(v) })}
          disabled={disabled}
          data-testid="deploy-canary"
        />
        <NumberInput
          size="xs"
          label="Max failed %"
          description="Empty: never stop"
          min={optionLimits.maxFailPercent.min}
          max={optionLimits.maxFailPercent.max}
          placeholder="never stop"
          suffix=" %"
          value={form.maxFailPercent ?? ''}
          onChange={(v) => onChange({ maxFailPercent: v === '' ? null : number(v) })}
          disabled={disabled}
          data-testid="deploy-max-fail"
        />
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {form.canary > 0
          ? `The first ${form.canary} device${form.canary === 1 ? '' : 's'} go first; the rest start only when all of them are healthy.`
          : 'No canary: up to the concurrency limit start at once.'}{' '}
        {form.maxFailPercent === null
          ? 'Every device is attempted, however many fail.'
          : `No new device starts once more than ${form.maxFailPercent} % failed.`}
      </Text>
    </>
  );
}
