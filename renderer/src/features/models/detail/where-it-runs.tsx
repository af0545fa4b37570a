import { Anchor, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { ModelLineage } from '../../../../../shared/schemas/lineage';
import { useCall } from '../../../api/queries';
import { EmptyState } from '../../../components/empty-state';
import { ErrorAlert } from '../../../components/error-alert';
import { BenchmarkIcon, DeployIcon } from '../../../components/icons';
import { formatDateTime } from '../../../lib/format';
import { benchPath, deployPath } from '../../bench/bench-link';

const latency = (ms: number | null) => (ms === null ? '—' : `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`);

/**
 * The lineage after the recipe: the benchmarks of this exact file and the devices that run it now, each
 * linked to where it is shown in full (the Benchmark page, the device's History).
 */
export function WhereItRuns({ modelId }: { modelId: string }) {
  const lineage = useCall('models.lineage', { ref: modelId });
  if (lineage.error)
    return <ErrorAlert title="Cannot read the benchmarks and devices" error={lineage.error} />;
  if (!lineage.data)
    return (
      <Text size="sm" c="dimmed">
        Reading…
      </Text>
    );
  return <LineageTables lineage={lineage.data} />;
}

export function LineageTables({ lineage }: { lineage: ModelLineage }) {
  return (
    <Stack gap="sm">
      <Stack gap={4} data-testid="lineage-benchmarks" data-count={lineage.benchmarks.length}>
        <Text size="sm" fw={500}>
          Benchmarks
        </Text>
        {lineage.benchmarks.length === 0 ? (
          <EmptyState
            icon={<BenchmarkIcon size={22} />}
            title="No benchmarks yet"
            description="Measure this exact file on this machine, on hardware profiles and on your devices."
            action={{ label: 'Benchmark it', to: benchPath(lineage.modelId) }}
            testId="lineage-benchmarks-empty"
            framed={false}
          />
        ) : (
          <Table.ScrollContainer minWidth={420}>
            <Table withTableBorder verticalSpacing={4} fz="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Source</Table.Th>
                  <Table.Th ta="right">Latency (median)</Table.Th>
                  <Table.Th>When</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {lineage.benchmarks.map((b) => (
                  <Table.Tr key={b.id} data-testid="lineage-benchmark" data-target={b.targetId}>
                    <Table.Td>{b.targetLabel}</Table.Td>
                    <Table.Td>{b.source}</Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {latency(b.latencyMs)}
                    </Table.Td>
                    <Table.Td>{formatDateTime(b.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
      <Stack gap={4} data-testid="lineage-devices" data-count={lineage.runningOn.length}>
        <Text size="sm" fw={500}>
          Running on
        </Text>
        {lineage.runningOn.length === 0 ? (
          <EmptyState
            icon={<DeployIcon size={22} />}
            title="No device runs it"
            description="As recorded: no deployment has made this file the current release of a device."
            action={{ label: 'Deploy it', to: deployPath(lineage.modelId) }}
            testId="lineage-devices-empty"
            framed={false}
          />
        ) : (
          <Table withTableBorder verticalSpacing={4} fz="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>Release</Table.Th>
                <Table.Th>Since</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lineage.runningOn.map((d) => (
                <Table.Tr
                  key={`${d.deviceId}/${d.modelName}`}
                  data-testid="lineage-device"
                  data-device={d.deviceName}
                >
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/history?device=${encodeURIComponent(d.deviceName)}`}
                      size="xs"
                    >
                      {d.deviceName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td ff="monospace" data-testid="lineage-release">
                    {d.release}
                  </Table.Td>
                  <Table.Td>{formatDateTime(d.since)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Stack>
  );
}
