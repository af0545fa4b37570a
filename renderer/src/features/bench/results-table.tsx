import { Group, Table, Text } from '@mantine/core';
import { Fragment } from 'react';
import type { TargetGroup } from './bench-results';
import { ResultLine } from './result-line';
import { groupMeta, targetTitle } from './results-format';
import { SourceBadge } from './source-badge';

const columns = 10;

/** Variants × targets: one block of rows per target, this machine first. */
export function ResultsTable({ groups }: { groups: readonly TargetGroup[] }) {
  return (
    <Table.ScrollContainer minWidth={880}>
      <Table withTableBorder data-testid="bench-results-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Variant</Table.Th>
            <Table.Th>Source</Table.Th>
            <Table.Th ta="right">p50</Table.Th>
            <Table.Th ta="right">p90</Table.Th>
            <Table.Th ta="right">Memory</Table.Th>
            <Table.Th>Fits?</Table.Th>
            <Table.Th ta="right">SQNR</Table.Th>
            <Table.Th ta="right">Cosine</Table.Th>
            <Table.Th ta="right">Top-1</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {groups.map((group) => (
            <Fragment key={group.key}>
              <Table.Tr
                data-testid="bench-target-row"
                data-target={group.target.id}
                bg="var(--mantine-color-default-hover)"
              >
                <Table.Td colSpan={columns}>
                  <Group gap="xs">
                    <Text size="sm" fw={600}>
                      {targetTitle(group.target)}
                    </Text>
                    <SourceBadge group={group} />
                    <Text size="xs" c="dimmed">
                      {groupMeta(group)}
                    </Text>
                  </Group>
                </Table.Td>
              </Table.Tr>
              {group.rows.map((row) => (
                <ResultLine key={row.result.id} row={row} group={group} />
              ))}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
