import { Button, Checkbox, Code, Group, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { describeNoiseBudget } from '../../../../shared/noise-budget';
import type { NoiseBudget, TensorFidelity } from '../../../../shared/schemas/optimize';
import {
  exclusionsFor,
  formatDb,
  gradeColor,
  gradeSqnr,
  gradeWord,
  isExcludable,
  tensorsWorstFirst,
} from './report-grades';

type LayerErrorTableProps = {
  tensors: readonly TensorFidelity[];
  /** Rounding noise made against what reaches the outputs (absent in reports made before it). */
  noiseBudget?: NoiseBudget | null;
  /** With it, rows get checkboxes and the one-click "exclude these and re-run". */
  onExclude?: (exclude: string[]) => void;
  /** Entries already excluded (shown, so the user sees what a re-run adds). */
  alreadyExcluded?: readonly string[];
  busy?: boolean;
};

/**
 * Per-layer error, worst first: which quantized activations lose most signal, next to the error made at each
 * alone (its own rounding). Picking the worst few and leaving their producers in float is the usual fix for a
 * variant that is not accurate enough; the noise budget below says when it cannot be.
 */
export function LayerErrorTable({
  tensors,
  noiseBudget = null,
  onExclude,
  alreadyExcluded = [],
  busy = false,
}: LayerErrorTableProps) {
  const rows = useMemo(() => tensorsWorstFirst(tensors), [tensors]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const chosen = rows.filter((t) => selected.has(t.name));
  const adds = exclusionsFor(chosen).filter((e) => !alreadyExcluded.includes(e));
  const selectable = onExclude !== undefined;

  const toggle = (name: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="layer-table-empty">
        No per-layer figures: this method does not quantize activations.
      </Text>
    );
  }

  return (
    <Stack gap="xs">
      <ScrollArea.Autosize mah={360} type="auto" offsetScrollbars>
        <Table
          withTableBorder
          stickyHeader
          highlightOnHover
          data-testid="layer-table"
          aria-label="Per-layer error, worst first"
        >
          <Table.Thead>
            <Table.Tr>
              {selectable && (
                <Table.Th w={36}>
                  <Text span size="xs" c="dimmed">
                    Pick
                  </Text>
                </Table.Th>
              )}
              <Table.Th w={40} ta="right">
                #
              </Table.Th>
              <Table.Th>Tensor</Table.Th>
              <Table.Th>Producer op</Table.Th>
              <Table.Th ta="right" title="Float vs the variant's value: the error built up to this tensor">
                SQNR
              </Table.Th>
              <Table.Th
                ta="right"
                title="The float value rounded alone on this tensor's grid: the error made here"
              >
                Made here
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((tensor, index) => {
              const grade = gradeSqnr(tensor.sqnrDb);
              const canExclude = isExcludable(tensor);
              return (
                <Table.Tr
                  key={tensor.name}
                  data-testid="layer-row"
                  data-tensor={tensor.name}
                  data-producer={tensor.producer}
                  aria-selected={selectable ? selected.has(tensor.name) : undefined}
                >
                  {selectable && (
                    <Table.Td>
                      <Checkbox
                        size="xs"
                        checked={selected.has(tensor.name)}
                        onChange={() => toggle(tensor.name)}
                        disabled={!canExclude || busy}
                        aria-label={
                          canExclude
                            ? `Pick ${tensor.name} (${tensor.producer}) to exclude`
                            : `${tensor.name} is a graph input: nothing to exclude`
                        }
                        data-testid="layer-pick"
                      />
                    </Table.Td>
                  )}
                  <Table.Td ta="right" c="dimmed" ff="monospace">
                    {index + 1}
                  </Table.Td>
                  <Table.Td>
                    <Code data-testid="layer-tensor" style={{ wordBreak: 'break-all' }}>
                      {tensor.name}
                    </Code>
                  </Table.Td>
                  <Table.Td ff="monospace" data-testid="layer-producer">
                    {tensor.producer}
                  </Table.Td>
                  <Table.Td
                    ta="right"
                    ff="monospace"
                    c={grade === 'neutral' || grade === 'good' ? undefined : `${gradeColor[grade]}.7`}
                    data-testid="layer-sqnr"
                    data-grade={grade}
                    title={gradeWord[grade]}
                  >
                    {formatDb(tensor.sqnrDb)}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace" c="dimmed" data-testid="layer-rounding">
                    {formatDb(tensor.roundingSqnrDb ?? null)}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
      {noiseBudget && (
        <Text size="xs" c="dimmed" data-testid="noise-budget">
          {describeNoiseBudget(noiseBudget)}
        </Text>
      )}
      {selectable && (
        <Stack gap={4}>
          <Group gap="xs">
            <Button
              size="xs"
              onClick={() => {
                onExclude(adds);
                setSelected(new Set());
              }}
              disabled={adds.length === 0 || busy}
              data-testid="exclude-rerun"
            >
              Exclude these and re-run
            </Button>
            <Button
              size="xs"
              variant="subtle"
              onClick={() => setSelected(new Set())}
              disabled={selected.size === 0}
            >
              Clear picks
            </Button>
          </Group>
          <Text size="xs" c="dimmed" data-testid="exclude-preview">
            {describeExclusion(chosen, adds)}
          </Text>
        </Stack>
      )}
    </Stack>
  );
}

function describeExclusion(chosen: readonly TensorFidelity[], adds: readonly string[]): string {
  if (chosen.length === 0) {
    return 'Pick the layers that lose most; their producing nodes stay in float on the re-run.';
  }
  if (adds.length === 0) return 'Those are already excluded.';
  return `Re-run leaves in float the nodes ${adds.join(', ')}.`;
}
