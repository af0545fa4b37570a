import { Code, Progress, Table, Text } from '@mantine/core';
import { formatBytes } from '../../lib/format';
import { DeviceStatusBadge } from './deploy-badges';
import { formatDuration, stepLabels } from './deploy-labels';
import { isFinished, type RolloutRow } from './rollout-rows';

/** Live per-device rows of a rollout: step, upload progress, speed, result. */
export function RolloutTable({
  rows,
  testId = 'rollout-table',
}: {
  rows: readonly RolloutRow[];
  testId?: string;
}) {
  return (
    <Table withTableBorder data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Device</Table.Th>
          <Table.Th>Step</Table.Th>
          <Table.Th w={260}>Transfer</Table.Th>
          <Table.Th ta="right">Speed</Table.Th>
          <Table.Th>Result</Table.Th>
          <Table.Th>Details</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <RolloutRowView key={row.deviceId} row={row} />
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RolloutRowView({ row }: { row: RolloutRow }) {
  const finished = isFinished(row.status);
  const percent =
    row.bytesTotal > 0 ? Math.min(100, (row.bytesSent / row.bytesTotal) * 100) : finished ? 100 : 0;
  const uploading = row.step === 'upload' && row.status === 'running';
  const failedColor = row.status === 'failed' || row.status === 'rolled_back' ? 'red' : undefined;
  return (
    <Table.Tr
      data-testid="rollout-row"
      data-device={row.deviceName}
      data-status={row.status}
      data-step={row.step ?? ''}
    >
      <Table.Td>
        <Text size="sm" fw={500}>
          {row.deviceName}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="xs" data-testid="rollout-step">
          {row.step === null ? '—' : stepLabels[row.step]}
        </Text>
      </Table.Td>
      <Table.Td>
        {row.bytesTotal === 0 ? (
          // A rollback switches to a release already on the device: nothing to transfer.
          <Text size="xs" c="dimmed">
            nothing to send
          </Text>
        ) : (
          <>
            <Progress
              size="sm"
              value={percent}
              color={failedColor ?? (row.status === 'unchanged' ? 'gray' : undefined)}
              animated={uploading}
              aria-label={`Transfer to ${row.deviceName}`}
              data-testid="rollout-progress"
              transitionDuration={150}
            />
            <Text size="xs" c="dimmed" ff="monospace">
              {formatBytes(row.bytesSent)} of {formatBytes(row.bytesTotal)}
            </Text>
          </>
        )}
      </Table.Td>
      <Table.Td ta="right">
        <Text size="xs" ff="monospace" data-testid="rollout-speed">
          {uploading && row.bytesPerSec > 0 ? `${formatBytes(row.bytesPerSec)}/s` : '—'}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <DeviceStatusBadge status={row.status} />
      </Table.Td>
      <Table.Td>
        {row.error ? (
          <Text size="xs" data-testid="rollout-error" data-error-code={row.error.code}>
            <Code>{row.error.code}</Code> {row.error.message}
          </Text>
        ) : (
          <Text size="xs" c="dimmed" truncate maw={360} data-testid="rollout-message">
            {row.message ?? ''}
            {row.durationMs !== null && finished ? ` (${formatDuration(row.durationMs)})` : ''}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
