import { Anchor, Badge, Checkbox, Group, ScrollArea, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import type { Model } from '../../../../shared/schemas/models';
import { formatCosine, formatDb } from '../../components/variant-report/report-grades';
import { formatBytes } from '../../lib/format';
import { modelRows } from '../models/model-tree';
import { familyOf } from './bench-form';
import { fidelityOf } from './bench-results';

type VariantPickerProps = {
  models: readonly Model[];
  value: readonly string[];
  onChange: (ids: string[]) => void;
  disabled?: boolean;
};

/** Models with their variants under them (the library's order), each with its size and fidelity at a glance. */
export function VariantPicker({ models, value, onChange, disabled }: VariantPickerProps) {
  const rows = useMemo(() => modelRows(models), [models]);
  const picked = new Set(value);
  const toggle = (id: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(id);
    else next.delete(id);
    onChange(rows.map((r) => r.model.id).filter((m) => next.has(m)));
  };
  return (
    <Stack gap={6}>
      <Group gap="xs" justify="space-between">
        <Text size="xs" c="dimmed" data-testid="bench-variant-count">
          {value.length} of {models.length} picked
        </Text>
        <Group gap="xs">
          <Anchor
            component="button"
            type="button"
            size="xs"
            onClick={() => onChange(rows.map((r) => r.model.id))}
            disabled={disabled}
          >
            All
          </Anchor>
          <Anchor component="button" type="button" size="xs" onClick={() => onChange([])} disabled={disabled}>
            None
          </Anchor>
        </Group>
      </Group>
      {/* Vertical only: long names wrap; a sideways scroll would hide "only these". */}
      <ScrollArea.Autosize mah={260} type="auto" offsetScrollbars="y" scrollbars="y">
        <Stack gap={4} role="group" aria-label="Models and variants to benchmark">
          {rows.map(({ model, depth }) => {
            const family = depth === 0 ? familyOf(models, model.id) : [];
            return (
              <Group
                key={model.id}
                gap={6}
                wrap="nowrap"
                justify="space-between"
                pl={depth * 18}
                data-testid="bench-variant"
                data-model-id={model.id}
              >
                <Checkbox
                  size="xs"
                  checked={picked.has(model.id)}
                  onChange={(e) => toggle(model.id, e.currentTarget.checked)}
                  disabled={disabled}
                  styles={{ body: { minWidth: 0 }, labelWrapper: { minWidth: 0 } }}
                  label={
                    <Group gap={6} wrap="wrap">
                      <Text size="sm" fw={depth === 0 ? 600 : 400} style={{ overflowWrap: 'anywhere' }}>
                        {depth > 0 ? '↳ ' : ''}
                        {model.name}
                      </Text>
                      {model.method && (
                        <Badge size="xs" variant="light" tt="none">
                          {model.method}
                        </Badge>
                      )}
                    </Group>
                  }
                  description={`${formatBytes(model.sizeBytes)} · ${fidelityText(model)}`}
                  aria-label={model.name}
                  data-testid="bench-variant-check"
                />
                {family.length > 1 && (
                  <Anchor
                    component="button"
                    type="button"
                    size="xs"
                    onClick={() => onChange(family)}
                    disabled={disabled}
                    // The visible words lead the name, so "click only these" works by voice (WCAG 2.5.3).
                    aria-label={`Pick only these: ${model.name} and its variants`}
                    style={{ whiteSpace: 'nowrap' }}
                  >
                    only these
                  </Anchor>
                )}
              </Group>
            );
          })}
        </Stack>
      </ScrollArea.Autosize>
    </Stack>
  );
}

function fidelityText(model: Model): string {
  const f = fidelityOf(model);
  if (f.kind === 'reference') return 'reference';
  if (f.kind === 'unknown') return 'no report';
  return f.sqnrDb !== null ? formatDb(f.sqnrDb) : `cos ${formatCosine(f.cosine)}`;
}
