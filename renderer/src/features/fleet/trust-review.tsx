import {
  Alert,
  Button,
  Code,
  Group,
  ScrollArea,
  Stack,
  Table,
  Text,
  Textarea,
  VisuallyHidden,
} from '@mantine/core';
import { ErrorAlert } from '../../components/error-alert';
import { opLabels } from './fleet-ops';
import { monoInput } from './fleet-styles';
import { canAccept, isAccepted, rowKey, trustRequest } from './trust-flow';
import { TrustRow } from './trust-row';
import type { TrustAsk, TrustPhase, useTrustFlow } from './use-trust-flow';

type ReviewPhase = Extract<TrustPhase, { step: 'review' | 'trusting' | 'failed' }>;

/** The scanned keys, one row each, to accept or not; the fingerprints the user expects; the pin button. */
export function TrustReview({
  ask,
  phase,
  flow,
  onClose,
}: {
  ask: TrustAsk;
  phase: ReviewPhase;
  flow: Omit<ReturnType<typeof useTrustFlow>, 'phase'>;
  onClose: () => void;
}) {
  const { choices, choose, expected, expectedText, setExpectedText, confirm } = flow;
  const expectedUnreadable = expectedText.trim() !== '' && expected.size === 0;
  const rows = phase.step === 'failed' ? (phase.rows ?? []) : phase.rows;
  const request = trustRequest(rows, choices, expected);
  const pinCount = request?.devices.reduce((n, d) => n + d.fingerprints.length, 0) ?? 0;
  const nothingToDo = rows.every((r) => !canAccept(r, new Set()));
  const busy = phase.step === 'trusting';
  const verb = ask.then === null ? null : opLabels[ask.then].imperative;

  return (
    <Stack gap="sm" data-testid="trust-review" data-round={phase.round}>
      {phase.round > 1 && (
        <Text size="sm" fw={500}>
          Round {phase.round}: devices behind the jump hosts you just trusted.
        </Text>
      )}
      <Alert color="blue" variant="light" p="xs">
        <Text size="sm">
          Compare each fingerprint with the key on the device before you trust it; on the device:{' '}
          <Code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</Code>. A fingerprint you did not expect can
          mean someone is in the middle. Once pinned, a different key is refused.
        </Text>
      </Alert>

      <ScrollArea.Autosize mah={340} type="auto">
        <Table withTableBorder verticalSpacing={6} data-testid="trust-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36}>
                <VisuallyHidden>Trust</VisuallyHidden>
              </Table.Th>
              <Table.Th>Device</Table.Th>
              <Table.Th>Endpoint</Table.Th>
              <Table.Th>Key type</Table.Th>
              <Table.Th>Fingerprint (SHA256)</Table.Th>
              <Table.Th>State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <TrustRow
                key={rowKey(row)}
                row={row}
                accepted={isAccepted(row, choices, expected)}
                acceptable={canAccept(row, expected)}
                expected={expected}
                disabled={busy}
                onToggle={(value) => choose(rowKey(row), value)}
              />
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>

      {!nothingToDo && (
        <Textarea
          label="Expected fingerprints (optional)"
          description="Paste what the devices themselves report (any text around the SHA256:… values is fine). Then only keys that match are trusted."
          placeholder="256 SHA256:… root@device (ED25519)"
          autosize
          minRows={1}
          maxRows={5}
          size="xs"
          styles={monoInput}
          value={expectedText}
          onChange={(e) => setExpectedText(e.currentTarget.value)}
          error={expectedUnreadable ? 'No SHA256:… fingerprint found in what you typed.' : undefined}
          disabled={busy}
          data-testid="trust-expected"
        />
      )}

      {phase.step === 'failed' && (
        <ErrorAlert title="Trust failed" error={phase.error} testId="trust-error" />
      )}

      <Group justify="space-between">
        <Text size="xs" c="dimmed" data-testid="trust-count">
          {nothingToDo
            ? 'Nothing to trust here.'
            : `${pinCount === 1 ? '1 key' : `${pinCount} keys`} will be pinned.`}
        </Text>
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={onClose} disabled={busy}>
            {nothingToDo ? 'Close' : 'Cancel'}
          </Button>
          {!nothingToDo && (
            <Button
              size="xs"
              onClick={() => void confirm(phase.round, rows)}
              loading={busy}
              disabled={pinCount === 0 || expectedUnreadable}
              data-testid="trust-confirm"
            >
              {verb === null ? 'Trust' : `Trust and ${verb}`}
            </Button>
          )}
        </Group>
      </Group>
    </Stack>
  );
}
