import { Button, Group, NumberInput, SegmentedControl, Stack, Text } from '@mantine/core';
import type { Model } from '../../../../shared/schemas/models';
import { freeDims, type BenchForm, type StopKind } from './bench-form';

type RunSettingsProps = {
  form: BenchForm;
  picked: readonly Model[];
  onChange: (patch: Partial<BenchForm>) => void;
  disabled?: boolean;
};

const toNumber = (v: string | number): number | null =>
  typeof v === 'number' ? v : v.trim() === '' ? null : Number(v);

/** Threads, how long each benchmark runs, and the values of the inputs' free dimensions. */
export function RunSettings({ form, picked, onChange, disabled }: RunSettingsProps) {
  const { named, unnamed } = freeDims(picked);
  return (
    <Stack gap="xs">
      <NumberInput
        size="xs"
        label="Threads (intra-op)"
        description="Default: every core of each target"
        placeholder="all cores"
        min={1}
        max={1024}
        allowDecimal={false}
        value={form.threads ?? ''}
        onChange={(v) => onChange({ threads: toNumber(v) })}
        disabled={disabled}
        data-testid="bench-threads"
      />
      <Stack gap={4}>
        <Text size="xs" fw={500} id="bench-stop-label">
          Each benchmark runs
        </Text>
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <SegmentedControl
            size="xs"
            value={form.stopKind}
            onChange={(v) => onChange({ stopKind: v as StopKind })}
            data={[
              { value: 'duration', label: 'For a duration' },
              { value: 'iterations', label: 'Fixed runs' },
            ]}
            disabled={disabled}
            aria-labelledby="bench-stop-label"
            data-testid="bench-stop-kind"
          />
          {form.stopKind === 'iterations' ? (
            <NumberInput
              size="xs"
              w={110}
              min={1}
              max={1_000_000}
              allowDecimal={false}
              suffix=" runs"
              value={form.iterations ?? ''}
              onChange={(v) => onChange({ iterations: toNumber(v) })}
              disabled={disabled}
              aria-label="Timed runs per benchmark"
              data-testid="bench-iterations"
            />
          ) : (
            <NumberInput
              size="xs"
              w={110}
              min={0.1}
              max={3600}
              step={0.5}
              decimalScale={1}
              suffix=" s"
              value={form.durationS ?? ''}
              onChange={(v) => onChange({ durationS: toNumber(v) })}
              disabled={disabled}
              aria-label="Seconds per benchmark"
              data-testid="bench-duration"
            />
          )}
        </Group>
        <Text size="xs" c="dimmed">
          After 5 warm-up runs; graph optimization “all”; seeded random inputs.
        </Text>
      </Stack>
      {named.length > 0 && (
        <Stack gap={4} data-testid="bench-dims">
          <Text size="xs" fw={500}>
            Free input dimensions
          </Text>
          {named.map((d) => {
            const value = form.dims[d.name] ?? null;
            return (
              <NumberInput
                key={d.name}
                size="xs"
                label={d.name}
                description={`in ${d.inputs.join(', ')}${d.required ? '' : ' · batch: 1 when empty'}`}
                placeholder={d.required ? 'needs a value' : '1'}
                withAsterisk={d.required}
                min={1}
                allowDecimal={false}
                value={value ?? ''}
                onChange={(v) => onChange({ dims: { ...form.dims, [d.name]: toNumber(v) } })}
                error={d.required && value === null ? 'Needs a value' : undefined}
                disabled={disabled}
                data-testid={`bench-dim-${d.name}`}
              />
            );
          })}
        </Stack>
      )}
      {unnamed.length > 0 && (
        <Stack gap={4} align="flex-start" data-testid="bench-unnamed-dims">
          <Text size="xs" c="red">
            {unnamed.map((u) => `${u.model}: input '${u.input}'`).join('; ')} — free dimensions without a
            name, which this form cannot size.
          </Text>
          <Button
            size="compact-xs"
            variant="default"
            onClick={() => {
              const out = new Set(unnamed.map((u) => u.modelId));
              onChange({ modelIds: picked.map((m) => m.id).filter((id) => !out.has(id)) });
            }}
            disabled={disabled}
            data-testid="bench-leave-out-unnamed"
          >
            Leave {new Set(unnamed.map((u) => u.modelId)).size === 1 ? 'it' : 'them'} out
          </Button>
        </Stack>
      )}
    </Stack>
  );
}
