import {
  Button,
  Checkbox,
  Code,
  Group,
  ScrollArea,
  SegmentedControl,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useId, useMemo, useState } from 'react';
import type { AutoNode } from '../../../../shared/schemas/optimize';
import { formatDb, gradeColor, gradeSqnr } from '../variant-report/report-grades';
import {
  flipOverrides,
  formatUs,
  int8Saving,
  sortNodes,
  type NodeSort,
  type Overrides,
} from './auto-report-model';

type NodeTableProps = {
  nodes: readonly AutoNode[];
  /** With it, rows get checkboxes and one "Re-run with these overrides" button. */
  onRerun?: (overrides: Overrides) => void;
  /** The overrides the search ran with: kept for nodes not picked. */
  baseOverrides?: Overrides;
  rerunLabel?: string;
  busy?: boolean;
};

const nowrap = { whiteSpace: 'nowrap' } as const;

const noOverrides: Overrides = { forceFloat: [], forceInt8: [] };

/**
 * Every quantizable node: how much it alone costs in fidelity, what its int8 kernel saves or costs in time,
 * and what the search decided and why. Picking nodes flips them on a re-run (int8 → float, float → int8).
 */
export function NodeTable({
  nodes,
  onRerun,
  baseOverrides = noOverrides,
  rerunLabel,
  busy = false,
}: NodeTableProps) {
  const sortLabelId = useId();
  const [sort, setSort] = useState<NodeSort>('sensitivity');
  const rows = useMemo(() => sortNodes(nodes, sort), [nodes, sort]);
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set());
  const selectable = onRerun !== undefined;
  const overrides = flipOverrides(baseOverrides, nodes, picked);

  const toggle = (name: string) =>
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  if (nodes.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="auto-nodes-empty">
        No quantizable nodes were analysed.
      </Text>
    );
  }

  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Text size="xs" c="dimmed" id={sortLabelId}>
          Sort by
        </Text>
        <SegmentedControl
          size="xs"
          value={sort}
          onChange={(v) => setSort(v as NodeSort)}
          data={[
            { value: 'sensitivity', label: 'Most sensitive' },
            { value: 'saving', label: 'Most time saved by int8' },
            { value: 'node', label: 'Name' },
          ]}
          aria-labelledby={sortLabelId}
          data-testid="auto-node-sort"
        />
      </Group>
      <ScrollArea.Autosize mah={420} type="auto" offsetScrollbars>
        <Table
          withTableBorder
          stickyHeader
          highlightOnHover
          fz="xs"
          data-testid="auto-nodes"
          aria-label="Per-node analysis"
        >
          <Table.Thead>
            <Table.Tr>
              {selectable && <Table.Th w={36}>Flip</Table.Th>}
              <Table.Th>Node</Table.Th>
              <Table.Th>Op</Table.Th>
              <Table.Th
                ta="right"
                style={nowrap}
                title="Output SQNR when only this node is int8: lower = more sensitive"
              >
                Alone int8 SQNR
              </Table.Th>
              <Table.Th ta="right" style={nowrap} title="Kernel time per run, ONNX Runtime profiler">
                Float µs
              </Table.Th>
              <Table.Th ta="right" style={nowrap} title="Kernel time per run as int8, with the Q/DQ it needs">
                Int8 µs
              </Table.Th>
              <Table.Th>Decision</Table.Th>
              <Table.Th>Why</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((n) => {
              const grade = gradeSqnr(n.sensitivitySqnrDb);
              const saving = int8Saving(n);
              return (
                <Table.Tr key={n.node} data-testid="auto-node" data-node={n.node} data-decision={n.decision}>
                  {selectable && (
                    <Table.Td>
                      <Checkbox
                        size="xs"
                        checked={picked.has(n.node)}
                        onChange={() => toggle(n.node)}
                        disabled={busy}
                        aria-label={`Flip ${n.node} to ${n.decision === 'int8' ? 'float' : 'int8'} on the re-run`}
                        data-testid="auto-node-pick"
                      />
                    </Table.Td>
                  )}
                  <Table.Td>
                    <Code fz="xs" style={{ wordBreak: 'break-all' }}>
                      {n.node}
                    </Code>
                  </Table.Td>
                  <Table.Td ff="monospace">{n.opType}</Table.Td>
                  <Table.Td
                    ta="right"
                    ff="monospace"
                    style={nowrap}
                    c={grade === 'neutral' || grade === 'good' ? undefined : `${gradeColor[grade]}.7`}
                  >
                    {formatDb(n.sensitivitySqnrDb)}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace" style={nowrap}>
                    {formatUs(n.floatUs)}
                  </Table.Td>
                  <Table.Td
                    ta="right"
                    ff="monospace"
                    c={saving !== null && saving < 0 ? 'orange.8' : undefined}
                  >
                    {formatUs(n.int8Us)}
                  </Table.Td>
                  <Table.Td fw={600} c={n.decision === 'int8' ? 'teal.8' : undefined}>
                    {n.decision}
                  </Table.Td>
                  <Table.Td>{n.reason}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
      {selectable && (
        <Group gap="xs">
          <Button
            size="xs"
            onClick={() => {
              onRerun(overrides);
              setPicked(new Set());
            }}
            disabled={picked.size === 0 || busy}
            data-testid="auto-rerun"
          >
            {rerunLabel ?? 'Re-run with these overrides'}
          </Button>
          <Text size="xs" c="dimmed" data-testid="auto-rerun-preview">
            {picked.size === 0
              ? 'Tick nodes to flip: int8 nodes are forced float, float nodes forced int8, on a new search.'
              : `Force float: ${overrides.forceFloat.join(', ') || 'none'} · force int8: ${overrides.forceInt8.join(', ') || 'none'}`}
          </Text>
        </Group>
      )}
    </Stack>
  );
}
