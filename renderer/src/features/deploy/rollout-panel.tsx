import { Anchor, Button, CloseButton, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorAlert } from '../../components/error-alert';
import { countDevices } from '../fleet/fleet-format';
import { DeploymentStatusBadge } from './deploy-badges';
import type { DeployRun } from './deploy-session';
import { RolloutTable } from './rollout-table';
import { countRows, countsLine, progressSections } from './rollout-rows';

/** `/history?deployment=<id>`: the History page with this deployment's report open. */
function historyPath(deploymentId: string): string {
  return `/history?deployment=${encodeURIComponent(deploymentId)}`;
}

type RolloutPanelProps = {
  run: Exclude<DeployRun, { status: 'idle' }>;
  onCancel: () => void;
  onDismiss: () => void;
};

/** The rollout as it happens (per-device rows, overall progress, Cancel), then its summary. */
export function RolloutPanel({ run, onCancel, onDismiss }: RolloutPanelProps) {
  const counts = countRows(run.rows);
  const running = run.status === 'running';
  const deploymentId = run.status === 'done' ? run.report.deployment.id : run.deploymentId;
  const sections = progressSections(counts);
  const title = running
    ? `Deploying ${run.request.modelName} to ${countDevices(counts.total)}`
    : `Rollout of ${run.request.modelName} to ${countDevices(counts.total)}`;

  return (
    <Paper
      withBorder
      p="sm"
      component="section"
      aria-label="Rollout"
      data-testid="rollout"
      data-status={run.status === 'done' ? run.report.deployment.status : run.status}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Title order={2} size="h5">
              {title}
            </Title>
            {run.status === 'done' && <DeploymentStatusBadge status={run.report.deployment.status} />}
          </Group>
          <Group gap="xs" wrap="nowrap">
            {deploymentId !== null && !running && (
              <Anchor
                component={Link}
                to={historyPath(deploymentId)}
                size="sm"
                data-testid="rollout-history-link"
              >
                Open in History
              </Anchor>
            )}
            {running ? (
              <Button
                size="compact-sm"
                variant="default"
                onClick={onCancel}
                loading={run.cancelling}
                data-testid="deploy-cancel"
              >
                Cancel
              </Button>
            ) : (
              <CloseButton size="sm" aria-label="Dismiss the rollout result" onClick={onDismiss} />
            )}
          </Group>
        </Group>

        <Group gap="sm" wrap="nowrap">
          <Progress.Root
            flex={1}
            size="md"
            aria-label={`Devices finished: ${countsLine(counts)}`}
            data-testid="rollout-overall"
            data-finished={counts.finished}
            data-total={counts.total}
          >
            {sections.map((s) => (
              <Progress.Section
                key={s.key}
                value={s.value}
                color={s.color}
                animated={running}
                striped={running}
                aria-label={`${s.count} ${s.label}`}
                data-testid={`rollout-overall-${s.key}`}
                data-count={s.count}
              />
            ))}
          </Progress.Root>
          <Text size="xs" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
            {counts.finished.toLocaleString('en-US')} / {counts.total.toLocaleString('en-US')} devices
          </Text>
        </Group>
        <Text
          size="sm"
          aria-live="polite"
          data-testid="rollout-summary"
          data-ok={counts.deployed}
          data-unchanged={counts.unchanged}
          data-failed={counts.failed}
          data-rolled-back={counts.rolledBack}
        >
          {countsLine(counts)}
          {running && run.cancelling
            ? ' — cancelling: devices already switched stay on the new release, the others stay on their old one.'
            : ''}
        </Text>

        {run.status === 'failed' && (
          <ErrorAlert
            title={run.error.code === 'CANCELLED' ? 'Deploy cancelled' : 'The deploy did not finish'}
            error={run.error}
            testId="rollout-error-alert"
          />
        )}
        {run.status === 'done' && run.report.deployment.error && (
          <ErrorAlert
            title="The rollout stopped early"
            error={run.report.deployment.error}
            testId="rollout-stop"
          />
        )}

        <RolloutTable rows={run.rows} />
      </Stack>
    </Paper>
  );
}
