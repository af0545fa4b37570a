import { CloseButton, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { DriftReport, DriftState } from '../../../../shared/schemas/deploy';
import type { Model } from '../../../../shared/schemas/models';
import { ErrorAlert } from '../../components/error-alert';
import { formatDateTime } from '../../lib/format';
import { DriftBadge } from '../deploy/deploy-badges';
import { driftHelp, driftLabels } from '../deploy/deploy-labels';
import { ReleaseLabel } from '../deploy/release-label';
import type { DriftOp } from './history-ops';

const stateOrder: DriftState[] = ['in_sync', 'different_version', 'modified', 'missing', 'unknown'];

/** "2 in sync · 1 modified", in a fixed order; zero counts left out. */
export function driftCountsLine(report: DriftReport): string {
  const counts = new Map<DriftState, number>();
  for (const r of report.results) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const parts = stateOrder
    .filter((s) => (counts.get(s) ?? 0) > 0)
    .map((s) => `${counts.get(s) ?? 0} ${driftLabels[s]}`);
  if (report.errors.length > 0) parts.push(`${report.errors.length} unreachable`);
  return parts.length === 0 ? 'Nothing deployed on these devices.' : parts.join(' · ');
}

type DriftPanelProps = {
  op: Exclude<DriftOp, { status: 'idle' | 'running' }>;
  modelsById: ReadonlyMap<string, Model>;
  onDismiss: () => void;
};

/** What each device really runs, read over SSH, against what EdgeFleet recorded. */
export function DriftPanel({ op, modelsById, onDismiss }: DriftPanelProps) {
  return (
    <Paper
      withBorder
      p="sm"
      component="section"
      aria-label="Drift check"
      data-testid="drift-panel"
      data-status={op.status}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h5">
            Drift check{op.status === 'done' ? ` — ${formatDateTime(op.report.checkedAt)}` : ''}
          </Title>
          <CloseButton size="sm" aria-label="Dismiss the drift check" onClick={onDismiss} />
        </Group>
        {op.status === 'failed' && (
          <ErrorAlert title="The drift check failed" error={op.error} testId="drift-error" />
        )}
        {op.status === 'done' && (
          <>
            <Text size="sm" data-testid="drift-summary">
              {driftCountsLine(op.report)}
              {op.reconcile && op.report.results.some((r) => r.adopted)
                ? ' — the records now follow what the devices verifiably run.'
                : ''}
            </Text>
            {op.report.results.length > 0 && (
              <Table withTableBorder data-testid="drift-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Device</Table.Th>
                    <Table.Th>Model</Table.Th>
                    <Table.Th w={150}>State</Table.Th>
                    <Table.Th>Recorded</Table.Th>
                    <Table.Th>On the device</Table.Th>
                    <Table.Th>Details</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {op.report.results.map((r) => (
                    <Table.Tr
                      key={`${r.deviceId}:${r.modelName}`}
                      data-testid="drift-row"
                      data-device={r.deviceName}
                      data-state={r.state}
                    >
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {r.deviceName}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                          {r.modelName}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <DriftBadge state={r.state} />
                      </Table.Td>
                      <Table.Td>
                        <ReleaseLabel release={r.expected} modelsById={modelsById} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                          {r.observed.release ?? '—'}
                          {r.observed.fileSha256 !== null &&
                            r.observed.manifestSha256 !== null &&
                            r.observed.fileSha256 !== r.observed.manifestSha256 && (
                              <>
                                {' '}
                                (file {r.observed.fileSha256.slice(0, 8)} ≠ manifest{' '}
                                {r.observed.manifestSha256.slice(0, 8)})
                              </>
                            )}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs" c="dimmed" title={driftHelp[r.state]}>
                          {r.message}
                          {r.adopted ? ' (record updated)' : ''}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {op.report.errors.length > 0 && (
              <Stack gap={2} data-testid="drift-unreachable">
                <Text size="xs" fw={600}>
                  Not read (nothing is concluded about these):
                </Text>
                {op.report.errors.map((e) => (
                  <Text key={e.deviceId} size="xs" data-error-code={e.error.code}>
                    <b>{e.deviceName}</b> <Code>{e.error.code}</Code> {e.error.message}
                  </Text>
                ))}
              </Stack>
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}
