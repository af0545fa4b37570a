import { Badge, Group, Select, Text } from '@mantine/core';
import { useMemo } from 'react';
import type { Model } from '../../../../shared/schemas/models';
import { defaultOpset, formatBytes, formatCount, formatShape } from '../../lib/format';
import { modelRows } from '../models/model-tree';

type ModelPickerProps = {
  models: readonly Model[];
  value: string | null;
  onChange: (id: string | null) => void;
  disabled?: boolean;
};

/** Imported models with their variants under them (the library's order), searchable by name. */
export function ModelPicker({ models, value, onChange, disabled }: ModelPickerProps) {
  const data = useMemo(
    () =>
      modelRows(models).map(({ model, depth }) => ({
        value: model.id,
        // Non-breaking spaces: the indent survives the option's whitespace collapsing.
        label: `${'\u00a0\u00a0\u00a0'.repeat(depth)}${depth > 0 ? '↳ ' : ''}${model.name}${model.method ? ` · ${model.method}` : ''}`,
      })),
    [models],
  );
  const model = models.find((m) => m.id === value);
  return (
    <>
      <Select
        label="Model"
        placeholder={models.length === 0 ? 'Import a model first (Models page)' : 'Pick a model'}
        data={data}
        value={value}
        onChange={onChange}
        searchable
        nothingFoundMessage="No model by that name"
        size="xs"
        disabled={disabled || models.length === 0}
        data-testid="optimize-model"
        comboboxProps={{ withinPortal: true }}
        maxDropdownHeight={320}
      />
      {model && <ModelFacts model={model} />}
    </>
  );
}

function ModelFacts({ model }: { model: Model }) {
  const opset = defaultOpset(model.summary.opsets);
  const input = model.summary.inputs[0];
  return (
    <Group gap={6} data-testid="optimize-model-facts">
      {model.method && (
        <Badge size="xs" variant="light">
          variant · {model.method}
        </Badge>
      )}
      <Text size="xs" c="dimmed">
        {formatBytes(model.sizeBytes)} · {formatCount(model.summary.parameterCount)} params · opset{' '}
        {opset ?? '?'}
        {input && (
          <>
            {' '}
            · input <code>{input.name}</code> {input.elemType} {formatShape(input.shape)}
            {model.summary.inputs.length > 1 ? ` (+${model.summary.inputs.length - 1} more)` : ''}
          </>
        )}
      </Text>
    </Group>
  );
}
