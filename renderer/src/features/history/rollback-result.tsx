import { CloseButton, Group, Paper, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../../components/error-alert';
import { DeploymentStatusBadge } from '../deploy/deploy-badges';
import { RolloutTable } from '../deploy/rollout-table';
import type { RollbackOp } from './history-ops';
import { rollbackHeadline } from './rollback-words';

/** A rollback as it runs and once it ended: the headline, the error if any, the device's steps. */
export function RollbackResult({
  op,
  onDismiss,
}: {
  op: Exclude<RollbackOp, { status: 'idle' }>;
  onDismiss: () => void;
}) {
  return (
    <Paper
      withBorder
      p="sm"
      component="section"
      aria-label="Rollback"
      data-testid="rollback-result"
      data-status={op.status === 'done' ? op.report.deployment.status : op.status}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs">
            <Text size="sm" fw={500} aria-live="polite" data-testid="rollback-headline">
              {rollbackHeadline(op)}
            </Text>
            {op.status === 'done' && <DeploymentStatusBadge status={op.report.deployment.status} />}
          </Group>
          {op.status !== 'running' && (
            <CloseButton size="sm" aria-label="Dismiss the rollback result" onClick={onDismiss} />
          )}
        </Group>
        {op.status === 'failed' && (
          <ErrorAlert title="Rollback failed" error={op.error} testId="rollback-error" />
        )}
        <RolloutTable rows={op.rows} testId="rollback-rows" />
      </Stack>
    </Paper>
  );
}
