import {
  Badge,
  Group,
  ScrollArea,
  SegmentedControl,
  Stack,
  Table,
  Text,
  type MantineColor,
} from '@mantine/core';
import { useState } from 'react';
import type { ImportAction, ImportReport } from '../../../../shared/schemas/fleet';
import { formatLabels } from './import-model';

const actionColors: Record<ImportAction, MantineColor> = {
  added: 'teal',
  updated: 'blue',
  unchanged: 'gray',
  skipped: 'yellow',
  rejected: 'red',
};
const actions: ImportAction[] = ['added', 'updated', 'unchanged', 'skipped', 'rejected'];

/** A report lists every row; the dialog draws this many of the chosen kind (the counts cover them all). */
const maxRowsShown = 200;

/** What an import did (or would do) per row, with counts per result; rejected rows first when there are any. */
export function ImportReportView({ report }: { report: ImportReport }) {
  const firstKind: ImportAction | 'all' = report.counts.rejected > 0 ? 'rejected' : 'all';
  const [kind, setKind] = useState<ImportAction | 'all'>(firstKind);
  const rows = kind === 'all' ? report.rows : report.rows.filter((r) => r.action === kind);
  return (
    <Stack gap="xs" data-testid="import-report" data-applied={report.applied}>
      <Group gap="xs">
        <Text size="sm" fw={500}>
          {report.applied ? 'Imported' : 'Checked'} as {formatLabels[report.format]}:
        </Text>
        {actions.map((a) => (
          <Badge
            key={a}
            size="sm"
            variant={report.counts[a] > 0 ? 'light' : 'outline'}
            color={actionColors[a]}
            tt="none"
            data-testid={`import-count-${a}`}
            data-count={report.counts[a]}
          >
            {report.counts[a].toLocaleString('en-US')} {a}
          </Badge>
        ))}
      </Group>
      {report.notes.map((note, i) => (
        <Text key={`${i}:${note}`} size="xs" c="dimmed">
          {note}
        </Text>
      ))}
      {report.rows.length > 0 && (
        <>
          <SegmentedControl
            size="xs"
            value={kind}
            onChange={(v) => setKind(v as ImportAction | 'all')}
            data={[
              { value: 'all', label: `All rows (${report.rows.length})` },
              ...actions
                .filter((a) => report.counts[a] > 0)
                .map((a) => ({ value: a, label: `${a} (${report.counts[a]})` })),
            ]}
            aria-label="Rows to show"
            w="fit-content"
          />
          <ScrollArea.Autosize mah={280} type="auto">
            <Table withTableBorder verticalSpacing={3} fz="xs" data-testid="import-rows">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={60}>Line</Table.Th>
                  <Table.Th w={180}>Device</Table.Th>
                  <Table.Th w={90}>Result</Table.Th>
                  <Table.Th>Why / what changes</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.slice(0, maxRowsShown).map((row, i) => (
                  <Table.Tr
                    key={`${row.line ?? 'x'}-${row.name ?? ''}-${i}`}
                    data-testid="import-row"
                    data-action={row.action}
                  >
                    <Table.Td>{row.line ?? '—'}</Table.Td>
                    <Table.Td>{row.name ?? '—'}</Table.Td>
                    <Table.Td>
                      <Text span size="xs" c={actionColors[row.action]} fw={500}>
                        {row.action}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'normal' }}>
                      {row.reason ?? (row.changes.length > 0 ? row.changes.join(', ') : '')}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
          {rows.length > maxRowsShown && (
            <Text size="xs" c="dimmed">
              Showing the first {maxRowsShown} of {rows.length.toLocaleString('en-US')} rows.
            </Text>
          )}
        </>
      )}
    </Stack>
  );
}
