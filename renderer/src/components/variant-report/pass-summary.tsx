import { Badge, Code, DataList, Group, ScrollArea, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import type { PassReport } from '../../../../shared/schemas/optimize';
import { formatMs } from './report-grades';

/** Skipped nodes grouped by reason: "excluded (3)", "non-constant weight (1)". */
function byReason(skipped: PassReport['skipped']): Array<{ reason: string; count: number }> {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
}

/** What the pass did: nodes converted by op type, nodes left alone and why, calibration, time. */
export function PassSummary({ pass }: { pass: PassReport }) {
  const converted = Object.entries(pass.converted).sort((a, b) => b[1] - a[1]);
  const total = converted.reduce((sum, [, n]) => sum + n, 0);
  const [showSkipped, setShowSkipped] = useState(false);
  const reasons = byReason(pass.skipped);
  return (
    <Stack gap="xs" data-testid="pass-summary">
      <DataList size="sm" gap={6} labelWidth="110px">
        <DataList.Item>
          <DataList.ItemLabel>Converted</DataList.ItemLabel>
          <DataList.ItemValue>
            {total === 0 ? (
              <Text size="sm" c="dimmed">
                none
              </Text>
            ) : (
              <Group gap={4} data-testid="converted-ops">
                {converted.map(([opType, count]) => (
                  <Badge key={opType} size="sm" variant="light" tt="none" data-op={opType}>
                    {opType} ×{count}
                  </Badge>
                ))}
              </Group>
            )}
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Left as is</DataList.ItemLabel>
          <DataList.ItemValue data-testid="skipped-summary">
            {pass.skipped.length === 0 ? (
              <Text size="sm" c="dimmed">
                none
              </Text>
            ) : (
              <Group gap={6}>
                <Text size="sm">
                  {pass.skipped.length} {pass.skipped.length === 1 ? 'node' : 'nodes'}:{' '}
                  {reasons.map((r) => `${r.reason} (${r.count})`).join(', ')}
                </Text>
                <UnstyledButton
                  onClick={() => setShowSkipped((v) => !v)}
                  aria-expanded={showSkipped}
                  data-testid="toggle-skipped"
                >
                  <Text size="sm" c="var(--mantine-primary-color-filled)">
                    {showSkipped ? 'hide' : 'show'}
                  </Text>
                </UnstyledButton>
              </Group>
            )}
          </DataList.ItemValue>
        </DataList.Item>
        {pass.calibration && (
          <DataList.Item>
            <DataList.ItemLabel>Calibration</DataList.ItemLabel>
            <DataList.ItemValue data-testid="calibration-summary">
              <Text size="sm" span>
                {pass.calibration.calibrator}, {pass.calibration.samples} samples, {pass.calibration.tensors}{' '}
                tensors
                {pass.calibration.random ? ' — random data' : ''}
              </Text>{' '}
              <Code title={pass.calibration.dataSha256}>{pass.calibration.dataSha256.slice(0, 12)}</Code>
            </DataList.ItemValue>
          </DataList.Item>
        )}
        <DataList.Item>
          <DataList.ItemLabel>Took</DataList.ItemLabel>
          <DataList.ItemValue>{formatMs(pass.durationMs)}</DataList.ItemValue>
        </DataList.Item>
      </DataList>
      {showSkipped && pass.skipped.length > 0 && (
        <ScrollArea.Autosize mah={240} type="auto" offsetScrollbars>
          <Table
            withTableBorder
            stickyHeader
            data-testid="skipped-table"
            aria-label="Nodes left as they were"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Node</Table.Th>
                <Table.Th>Op</Table.Th>
                <Table.Th>Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pass.skipped.map((s, index) => (
                <Table.Tr key={`${s.node}-${index}`}>
                  <Table.Td>
                    <Code>{s.node || '(unnamed)'}</Code>
                  </Table.Td>
                  <Table.Td ff="monospace">{s.opType}</Table.Td>
                  <Table.Td>{s.reason}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}
