import { Badge, Group, Table, Text } from '@mantine/core';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { defaultOpset, formatBytes, formatCount, formatDateTime } from '../../lib/format';
import type { ModelRow } from './model-tree';

/** A new object per selection event: selecting the same model again (re-import) focuses it again. */
export type Selection = { id: string };

type ModelsTableProps = {
  rows: readonly ModelRow[];
  selection: Selection | null;
  onOpen: (id: string) => void;
};

/**
 * The library. Rows are the keyboard targets (Tab to the table, ↑/↓ between rows, Enter opens); the name
 * is also a real link for mouse users (middle-click, copy link) but is skipped by Tab to avoid double stops.
 */
export function ModelsTable({ rows, selection, onOpen }: ModelsTableProps) {
  const body = useRef<HTMLTableSectionElement>(null);

  const focusedFor = useRef<Selection | null>(null);

  // Bring a newly imported (or re-found) model into view and under the keyboard — once per selection,
  // so a background refetch of the list never pulls focus away from what the user is doing.
  useEffect(() => {
    if (!selection || !body.current || focusedFor.current === selection) return;
    const row = body.current.querySelector<HTMLTableRowElement>(
      `tr[data-model-id="${CSS.escape(selection.id)}"]`,
    );
    if (!row) return;
    focusedFor.current = selection;
    row.scrollIntoView({ block: 'nearest' });
    row.focus({ preventScroll: true });
  }, [selection, rows]);

  const onKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, id: string) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      onOpen(id);
      return;
    }
    const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const sibling =
      step > 0 ? event.currentTarget.nextElementSibling : event.currentTarget.previousElementSibling;
    if (sibling instanceof HTMLElement) sibling.focus();
  };

  return (
    <Table highlightOnHover striped={false} withTableBorder stickyHeader data-testid="models-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th ta="right">Size</Table.Th>
          <Table.Th ta="right">Opset</Table.Th>
          <Table.Th ta="right">Params</Table.Th>
          <Table.Th ta="right">MACs</Table.Th>
          <Table.Th>Imported</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody ref={body}>
        {rows.map(({ model, depth }) => {
          const opset = defaultOpset(model.summary.opsets);
          return (
            <Table.Tr
              key={model.id}
              tabIndex={0}
              aria-selected={model.id === selection?.id}
              data-testid="model-row"
              data-model-id={model.id}
              data-depth={depth}
              data-parent-id={model.parentId ?? undefined}
              onClick={() => onOpen(model.id)}
              onKeyDown={(event) => onKeyDown(event, model.id)}
            >
              <Table.Td>
                <Group gap={6} wrap="nowrap" pl={depth * 20}>
                  {depth > 0 && (
                    <Text span c="dimmed" size="sm" aria-hidden="true">
                      ↳
                    </Text>
                  )}
                  <Text
                    component={Link}
                    to={`/models/${encodeURIComponent(model.id)}`}
                    tabIndex={-1}
                    size="sm"
                    fw={500}
                    c="var(--mantine-color-anchor)"
                    data-testid="model-name"
                    onClick={(event) => event.stopPropagation()}
                  >
                    {model.name}
                  </Text>
                  {model.method && (
                    <Badge size="xs" variant="light">
                      {model.method}
                    </Badge>
                  )}
                  {model.sourceFileName !== `${model.name}.onnx` && (
                    <Text span size="xs" c="dimmed" truncate maw={220}>
                      {model.sourceFileName}
                    </Text>
                  )}
                </Group>
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {formatBytes(model.sizeBytes)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {opset ?? '—'}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {formatCount(model.summary.parameterCount)}
              </Table.Td>
              <Table.Td
                ta="right"
                ff="monospace"
                data-testid="model-row-macs"
                title={
                  model.summary.macsUnknownNodes > 0
                    ? `At least: ${model.summary.macsUnknownNodes} node(s) with unknown shapes are not counted`
                    : undefined
                }
              >
                {/* A lower bound, as the detail page says: nodes with unknown shapes are not counted. */}
                {model.summary.macsUnknownNodes > 0 ? '≥ ' : ''}
                {formatCount(model.summary.macs)}
              </Table.Td>
              <Table.Td>
                <Text size="sm" component="time" dateTime={model.importedAt}>
                  {formatDateTime(model.importedAt)}
                </Text>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
