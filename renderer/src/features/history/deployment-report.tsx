import {
  Anchor,
  Box,
  Center,
  Code,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { Fragment, useState, type ReactNode } from 'react';
import {
  deployOptionsSchema,
  type DeploymentReport,
  type DeviceResult,
} from '../../../../shared/schemas/deploy';
import type { Model } from '../../../../shared/schemas/models';
import { useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { formatBytes, formatDateTime } from '../../lib/format';
import { DeploymentStatusBadge, DeviceStatusBadge } from '../deploy/deploy-badges';
import { formatDuration, stepLabels } from '../deploy/deploy-labels';
import { countRows, countsLine, rowsFromReport } from '../deploy/rollout-rows';
import { variantText } from './deployments-table';

/** One deployment: what was shipped, how, and per device what happened (with its log). */
export function DeploymentReportPanel({
  id,
  modelsById,
}: {
  id: string;
  modelsById: ReadonlyMap<string, Model>;
}) {
  const report = useCall('deploy.report', { id });
  return (
    <Paper
      withBorder
      p="sm"
      component="section"
      aria-label="Deployment report"
      data-testid="deployment-report"
      data-deployment-id={id}
    >
      {report.isPending && (
        <Center p="md">
          <Loader size="sm" aria-label="Loading the deployment" />
        </Center>
      )}
      {report.error && <ErrorAlert title="Cannot open this deployment" error={report.error} />}
      {report.data && <ReportBody report={report.data} modelsById={modelsById} />}
    </Paper>
  );
}

function ReportBody({
  report,
  modelsById,
}: {
  report: DeploymentReport;
  modelsById: ReadonlyMap<string, Model>;
}) {
  const d = report.deployment;
  const counts = countRows(rowsFromReport(report));
  const options = deployOptionsSchema.safeParse(d.options);
  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs">
          <Title order={2} size="h5">
            {d.kind === 'rollback' ? `Rollback of ${d.modelName}` : `Deploy of ${variantText(d, modelsById)}`}
          </Title>
          <DeploymentStatusBadge status={d.status} testId="report-status" />
        </Group>
        <Text size="xs" c="dimmed" ff="monospace">
          {d.id}
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="xs" verticalSpacing={4}>
        <Fact label="Started">{formatDateTime(d.createdAt)}</Fact>
        <Fact label="Finished">{d.finishedAt === null ? '—' : formatDateTime(d.finishedAt)}</Fact>
        <Fact label="By">{d.requestedBy}</Fact>
        <Fact label="Release">{d.release ?? (d.kind === 'rollback' ? 'previous of each device' : '—')}</Fact>
        {d.sha256 !== null && <Fact label="sha256">{d.sha256.slice(0, 16)}…</Fact>}
        {d.sizeBytes !== null && <Fact label="Size">{formatBytes(d.sizeBytes)}</Fact>}
        {options.success && (
          <Fact label="Options">
            concurrency {options.data.concurrency} · canary {options.data.canary} ·{' '}
            {options.data.maxFailPercent === null
              ? 'never stops'
              : `stops past ${options.data.maxFailPercent} % failed`}
          </Fact>
        )}
        <Fact label="Devices">{countsLine(counts)}</Fact>
      </SimpleGrid>
      {d.error && <ErrorAlert title="The rollout stopped" error={d.error} testId="report-error" />}
      <DeviceResultsTable devices={report.devices} />
    </Stack>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" ff={label === 'sha256' || label === 'Release' ? 'monospace' : undefined}>
        {children}
      </Text>
    </Box>
  );
}

function DeviceResultsTable({ devices }: { devices: readonly DeviceResult[] }) {
  const sorted = [...devices].sort((a, b) => a.position - b.position);
  // Failures open with their log: that is what someone opening a failed deployment came for.
  const [open, setOpen] = useState<ReadonlySet<string>>(
    () => new Set(sorted.filter((d) => d.error !== null).map((d) => d.deviceId)),
  );
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Table withTableBorder data-testid="report-devices">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Device</Table.Th>
          <Table.Th>Result</Table.Th>
          <Table.Th>Step reached</Table.Th>
          <Table.Th ta="right">Sent</Table.Th>
          <Table.Th ta="right">Time</Table.Th>
          <Table.Th>Release before → after</Table.Th>
          <Table.Th>Log</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sorted.map((d) => {
          const isOpen = open.has(d.deviceId);
          const logId = `report-log-${d.deploymentId}-${d.deviceId}`;
          return (
            <Fragment key={d.deviceId}>
              <Table.Tr data-testid="report-device" data-device={d.deviceName} data-status={d.status}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {d.deviceName}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <DeviceStatusBadge status={d.status} testId="report-device-status" />
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{d.step === null ? '—' : stepLabels[d.step]}</Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="xs" ff="monospace" data-testid="report-bytes" data-bytes={d.bytesSent}>
                    {formatBytes(d.bytesSent)}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="xs" ff="monospace">
                    {formatDuration(d.durationMs)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace" data-testid="report-release">
                    {d.releaseBefore ?? '—'} → {d.releaseAfter ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Anchor
                    component="button"
                    type="button"
                    size="xs"
                    onClick={() => toggle(d.deviceId)}
                    aria-expanded={isOpen}
                    aria-controls={isOpen ? logId : undefined}
                    data-testid="report-log-toggle"
                  >
                    {isOpen ? 'Hide' : 'Show'} {d.log.length} {d.log.length === 1 ? 'line' : 'lines'}
                  </Anchor>
                </Table.Td>
              </Table.Tr>
              {(isOpen || d.error) && (
                <Table.Tr>
                  <Table.Td colSpan={7} p={0}>
                    {d.error && (
                      <Text
                        size="xs"
                        px="sm"
                        py={4}
                        c="red.8"
                        data-testid="report-device-error"
                        data-error-code={d.error.code}
                      >
                        <Code>{d.error.code}</Code> {d.error.message}
                      </Text>
                    )}
                    {isOpen && <LogLines id={logId} device={d} />}
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

const levelColor = { info: undefined, warn: 'yellow.8', error: 'red.8' } as const;

function LogLines({ id, device }: { id: string; device: DeviceResult }) {
  if (device.log.length === 0)
    return (
      <Text id={id} size="xs" c="dimmed" px="sm" py={4} data-testid="report-log">
        No log lines.
      </Text>
    );
  const start = new Date(device.log[0]?.at ?? '').getTime();
  return (
    <Box
      id={id}
      component="ol"
      m={0}
      px="sm"
      py={4}
      style={{ listStyle: 'none', maxHeight: 260, overflow: 'auto' }}
      data-testid="report-log"
      aria-label={`Log of ${device.deviceName}`}
    >
      {device.log.map((line, i) => {
        const offset = new Date(line.at).getTime() - start;
        return (
          <Text
            key={i}
            component="li"
            size="xs"
            ff="monospace"
            c={levelColor[line.level]}
            data-testid="report-log-line"
            data-level={line.level}
            style={{ whiteSpace: 'pre-wrap' }}
          >
            +{Number.isFinite(offset) ? formatDuration(offset) : '?'} [{line.step}] {line.message}
          </Text>
        );
      })}
    </Box>
  );
}
