import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../../components/error-alert';
import type { RunState } from './optimize-session';
import { failureTitle, type FixAction } from './run-outcome';

type Failed = Extract<RunState, { status: 'failed' }>;

/** A run that failed or was cancelled: the error in its own words, and the fixes its code allows. */
export function RunFailure({
  run,
  onDismiss,
  fixes,
}: {
  run: Failed;
  onDismiss: () => void;
  fixes: readonly FixAction[];
}) {
  if (run.error.code === 'CANCELLED') {
    return (
      <Alert
        color="gray"
        variant="light"
        p="xs"
        withCloseButton
        onClose={onDismiss}
        closeButtonLabel="Dismiss"
        data-testid="optimize-cancelled"
      >
        <Text size="sm">Cancelled — no variant was stored. {run.error.message}</Text>
      </Alert>
    );
  }
  return (
    <Stack gap={6}>
      <ErrorAlert
        title={failureTitle(run.error)}
        error={run.error}
        onClose={onDismiss}
        testId="optimize-error"
      />
      {fixes.length > 0 && (
        <Group gap="xs">
          {fixes.map((fix) => (
            <Button key={fix.label} size="xs" variant="light" onClick={fix.run} data-testid="optimize-fix">
              {fix.label}
            </Button>
          ))}
        </Group>
      )}
    </Stack>
  );
}
