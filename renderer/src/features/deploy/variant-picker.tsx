import { Badge, Group, Select, Stack, Text, Tooltip } from '@mantine/core';
import { useMemo } from 'react';
import type { Model } from '../../../../shared/schemas/models';
import { gradeColor, gradeWord } from '../../components/variant-report/report-grades';
import { formatBytes, formatDateTime } from '../../lib/format';
import { modelRows } from '../models/model-tree';
import { fidelityFigures, fidelityShort } from './variant-fidelity';

type VariantPickerProps = {
  models: readonly Model[];
  value: string | null;
  onChange: (id: string | null) => void;
  disabled?: boolean;
};

/** Imported models with their variants under them; each option says its size and fidelity. */
export function VariantPicker({ models, value, onChange, disabled }: VariantPickerProps) {
  const data = useMemo(
    () =>
      modelRows(models).map(({ model, depth }) => ({
        value: model.id,
        // Non-breaking spaces: the indent survives the option's whitespace collapsing.
        label: `${'\u00a0\u00a0\u00a0'.repeat(depth)}${depth > 0 ? '↳ ' : ''}${model.name} · ${formatBytes(model.sizeBytes)} · ${fidelityShort(model)}`,
      })),
    [models],
  );
  const model = models.find((m) => m.id === value);
  return (
    <Stack gap="xs">
      <Select
        label="Variant"
        placeholder="Pick the model or variant to ship"
        data={data}
        value={value}
        onChange={onChange}
        searchable
        nothingFoundMessage="No model by that name"
        size="xs"
        disabled={disabled || models.length === 0}
        data-testid="deploy-variant"
        comboboxProps={{ withinPortal: true }}
        maxDropdownHeight={320}
      />
      {model && <VariantFacts model={model} />}
    </Stack>
  );
}

function VariantFacts({ model }: { model: Model }) {
  const figures = fidelityFigures(model);
  return (
    <Stack gap={6} data-testid="deploy-variant-facts" data-model-id={model.id}>
      <Group gap={6}>
        {model.method ? (
          <Badge size="xs" variant="light">
            variant · {model.method}
          </Badge>
        ) : (
          <Badge size="xs" variant="outline" color="gray">
            imported
          </Badge>
        )}
        <Text size="xs" c="dimmed">
          <Text span inherit ff="monospace" data-testid="deploy-variant-size">
            {formatBytes(model.sizeBytes)}
          </Text>{' '}
          · sha256 <code>{model.sha256.slice(0, 12)}</code> · {formatDateTime(model.importedAt)}
        </Text>
      </Group>
      {figures.length === 0 ? (
        <Text size="xs" c="dimmed" data-testid="deploy-variant-fidelity" data-kind="reference">
          The imported model itself: the reference its variants are measured against.
        </Text>
      ) : (
        <Group gap={6} data-testid="deploy-variant-fidelity" data-kind="variant">
          {figures.map((f) => (
            <Tooltip key={f.label} label={f.help} multiline w={260} openDelay={300}>
              <Badge
                size="sm"
                radius="sm"
                tt="none"
                variant="light"
                color={gradeColor[f.grade]}
                aria-label={`${f.label} ${f.value} (${gradeWord[f.grade]})`}
                data-testid={`deploy-fidelity-${f.label}`}
                data-grade={f.grade}
              >
                {f.label} {f.value}
              </Badge>
            </Tooltip>
          ))}
        </Group>
      )}
    </Stack>
  );
}
