import { Table, Text } from '@mantine/core';
import { formatMs } from '../../components/variant-report/report-grades';
import { formatBytes } from '../../lib/format';
import { metricLabels, type Threshold } from './bench-results';
import { formatMetric, pointStatus, type ParetoPoint } from './pareto-points';

/** The key beside the chart: which variant each number is, with the figures the chart plots. */
export function ParetoKey({ points, threshold }: { points: readonly ParetoPoint[]; threshold: Threshold }) {
  return (
    <Table.ScrollContainer minWidth={300} type="native">
      <Table fz="xs" withTableBorder verticalSpacing={2} data-testid="pareto-key">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Variant</Table.Th>
            <Table.Th ta="right">p50</Table.Th>
            <Table.Th ta="right">{metricLabels[threshold.metric]}</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {points.map((p) => (
            <Table.Tr key={p.id} data-testid="pareto-key-row" data-model-id={p.id}>
              <Table.Td fw={600}>{p.n}</Table.Td>
              <Table.Td>
                <Text size="xs" style={{ overflowWrap: 'anywhere' }}>
                  {p.name}
                </Text>
                <Text size="xs" c={p.passes ? 'teal' : undefined} fw={p.recommended ? 600 : undefined}>
                  {pointStatus(p)}
                </Text>
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatMs(p.latencyMs)}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatMetric(threshold.metric, p.metricValue, p.exact)}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatBytes(p.sizeBytes)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
