import { Box, Center, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { DeploymentReport } from '../../../../shared/schemas/deploy';
import type { Model } from '../../../../shared/schemas/models';
import { useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { formatBytes, formatDateTime } from '../../lib/format';
import { DeploymentStatusBadge } from '../deploy/deploy-badges';
import { countRows, countsLine, rowsFromReport } from '../deploy/rollout-rows';
import { optionsLine } from './deployment-report-format';
import { variantText } from './deployments-table';
import { ReportDevicesTable } from './report-devices-table';

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
  const options = optionsLine(d.options);
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
        {options !== null && <Fact label="Options">{options}</Fact>}
        <Fact label="Devices">{countsLine(counts)}</Fact>
      </SimpleGrid>
      {d.error && <ErrorAlert title="The rollout stopped" error={d.error} testId="report-error" />}
      <ReportDevicesTable devices={report.devices} />
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
