import { Alert, Button, Group, Paper, Progress, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { ErrorAlert } from '../../components/error-alert';
import { guiWords } from '../../lib/gui-words';
import { countDevices } from './fleet-format';
import { opLabels, secretNeedsIn, untrustedIn, type OpState } from './fleet-ops';

type OpPanelProps = {
  op: OpState;
  onCancel: () => void;
  onDismiss: () => void;
  onTrust: (ids: string[]) => void;
  onSecrets: () => void;
  onSelect: (ids: string[]) => void;
};

/** Failures listed in the panel; the rest are counted (the full picture is in the table's Status column). */
const maxListed = 50;

/** The running bulk operation (progress, Cancel), then its outcome with the follow-ups it calls for. */
export function OpPanel({ op, onCancel, onDismiss, onTrust, onSecrets, onSelect }: OpPanelProps) {
  if (op.status === 'idle') return null;
  const labels = opLabels[op.kind];

  if (op.status === 'running') {
    return (
      <Paper withBorder p="xs" data-testid="op-panel" data-status="running" data-kind={op.kind}>
        <Stack gap={4}>
          <Group justify="space-between" gap="xs" wrap="nowrap">
            <Text size="xs" aria-live="polite" truncate data-testid="op-phase">
              {labels.running} {countDevices(op.count)} — {op.phase}
              {op.percent === null ? '' : ` (${Math.round(op.percent)}%)`}
              {op.message ? ` · ${op.message}` : ''}
            </Text>
            <Button size="compact-xs" variant="default" onClick={onCancel} data-testid="op-cancel">
              Cancel
            </Button>
          </Group>
          <Progress
            size="sm"
            value={op.percent ?? 100}
            animated={op.percent === null}
            striped={op.percent === null}
            aria-label={`${labels.running} progress`}
            data-testid="op-progress"
            transitionDuration={150}
          />
        </Stack>
      </Paper>
    );
  }

  if (op.status === 'failed') {
    return (
      <ErrorAlert
        title={op.error.code === 'CANCELLED' ? `${labels.running} cancelled` : `${labels.running} failed`}
        error={op.error}
        onClose={onDismiss}
        testId="op-error"
      />
    );
  }

  const failed = op.outcomes.filter((o) => !o.ok);
  const untrusted = untrustedIn(op.outcomes);
  const secrets = secretNeedsIn(op.outcomes);
  return (
    <Alert
      color={failed.length === 0 ? 'teal' : 'orange'}
      variant="light"
      p="xs"
      withCloseButton
      onClose={onDismiss}
      closeButtonLabel="Dismiss"
      data-testid="op-panel"
      data-status="done"
      data-kind={op.kind}
    >
      <Stack gap={6}>
        <Text size="sm" data-testid="op-summary">
          {labels.done} {countDevices(op.outcomes.length)}: {op.outcomes.length - failed.length} ok
          {failed.length > 0 ? `, ${failed.length} failed` : ''}.
          {op.outcomes.length === 1 && op.outcomes[0]
            ? ` ${op.outcomes[0].device}: ${op.outcomes[0].summary}.`
            : ''}
        </Text>
        {failed.length > 0 && (
          <ScrollArea.Autosize mah={160} type="auto">
            <Table verticalSpacing={2} fz="xs" data-testid="op-failures">
              <Table.Tbody>
                {failed.slice(0, maxListed).map((o) => (
                  <Table.Tr key={o.deviceId} data-testid="op-failure" data-device={o.device}>
                    <Table.Td w={160} fw={500}>
                      {o.device}
                    </Table.Td>
                    <Table.Td w={150}>
                      <Text span size="xs" ff="monospace" data-testid="op-failure-code">
                        {o.error?.code ?? o.summary}
                      </Text>
                    </Table.Td>
                    <Table.Td>{o.error ? guiWords(o.error.message) : o.summary}</Table.Td>
                    <Table.Td w={90} ta="right">
                      {untrusted.includes(o.deviceId) && (
                        // Per device, so a bulk run's results stay in view until the user picks one to trust.
                        <Button
                          size="compact-xs"
                          variant="light"
                          onClick={() => onTrust([o.deviceId])}
                          aria-label={`Trust the host key of ${o.device}`}
                          data-testid="op-failure-trust"
                        >
                          Trust…
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {failed.length > maxListed && (
              <Text size="xs" c="dimmed">
                … and {failed.length - maxListed} more.
              </Text>
            )}
          </ScrollArea.Autosize>
        )}
        {failed.length > 0 && (
          <Group gap="xs">
            {untrusted.length > 0 && (
              <Button size="compact-xs" onClick={() => onTrust(untrusted)} data-testid="op-trust">
                Trust {countDevices(untrusted.length)}…
              </Button>
            )}
            {secrets.length > 0 && (
              <Button size="compact-xs" variant="light" onClick={onSecrets} data-testid="op-secrets">
                Enter{' '}
                {secrets.length === 1
                  ? 'the password or passphrase'
                  : `${secrets.length} passwords or passphrases`}
                …
              </Button>
            )}
            <Button
              size="compact-xs"
              variant="default"
              onClick={() => onSelect(failed.map((o) => o.deviceId))}
              data-testid="op-select-failed"
            >
              Select the failed devices
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}
