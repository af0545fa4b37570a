import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Modal,
  Progress,
  ScrollArea,
  Stack,
  Table,
  Text,
  Textarea,
  VisuallyHidden,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppError } from '../../../../shared/errors';
import { toAppError } from '../../../../shared/errors';
import type { HostKeyScan, TrustOutcome } from '../../../../shared/schemas/fleet';
import type { RunningJob } from '../../api/client';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { guiWords } from '../../lib/gui-words';
import { opLabels, type OpKind } from './fleet-ops';
import {
  alreadyTrusted,
  canAccept,
  isAccepted,
  matchesExpected,
  parseFingerprints,
  rowKey,
  trustRequest,
  verdictOf,
  waitingDevices,
  type ScanRow,
} from './trust-flow';
import { monoInput } from './fleet-styles';

/** What the page asks for: trust these devices, then (optionally) run an operation on the trusted ones. */
export type TrustAsk = { ids: string[]; then: OpKind | null; title: string };

type TrustDialogProps = {
  ask: TrustAsk | null;
  onClose: () => void;
  /** Trust ended well and `then` was asked: the page closes the dialog and runs it on these devices. */
  onContinue: (ids: string[], then: OpKind) => void;
};

export function TrustDialog({ ask, onClose, onContinue }: TrustDialogProps) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={ask !== null}
      onClose={onClose}
      title={ask?.title ?? 'Trust host keys'}
      size="min(1100px, 94vw)"
      closeOnClickOutside={false}
      data-testid="trust-dialog"
    >
      {ask && <TrustFlow ask={ask} onClose={onClose} onContinue={onContinue} />}
    </Modal>
  );
}

type Phase =
  | { step: 'scanning'; round: number; phase: string; percent: number | null }
  | { step: 'review'; round: number; rows: ScanRow[] }
  | { step: 'trusting'; round: number; rows: ScanRow[] }
  | { step: 'done'; outcomes: TrustOutcome[]; trusted: string[] }
  | { step: 'failed'; round: number; error: AppError; rows: ScanRow[] | null };

/** Devices behind jump hosts need a round per hop; more than this is a loop or a broken chain. */
const maxRounds = 4;

function TrustFlow({ ask, onClose, onContinue }: { ask: TrustAsk } & Omit<TrustDialogProps, 'ask'>) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<Phase>({ step: 'scanning', round: 1, phase: 'starting', percent: null });
  const [choices, setChoices] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [expectedText, setExpectedText] = useState('');
  const job = useRef<RunningJob<HostKeyScan[]> | null>(null);
  // Bumped when the dialog goes away: answers of an earlier generation are dropped.
  const generation = useRef(0);
  // Across rounds: the latest trust outcome per device, and every device that ended up trusted.
  const outcomes = useRef(new Map<string, TrustOutcome>());
  const trusted = useRef(new Set<string>());

  const expected = useMemo(() => parseFingerprints(expectedText), [expectedText]);
  const expectedUnreadable = expectedText.trim() !== '' && expected.size === 0;

  /** Starts a scan job; its answer moves the dialog to the review (callbacks only: never during render). */
  const scan = useCallback(
    (ids: string[], round: number): Promise<void> => {
      const mine = generation.current;
      const live = () => generation.current === mine;
      const running = client.runJob(
        'devices.scanHostKeys',
        { targets: ids },
        {
          label: `Reading host keys of ${ids.length === 1 ? '1 device' : `${ids.length} devices`}`,
          onProgress: (p) => {
            if (live()) setPhase({ step: 'scanning', round, phase: p.phase, percent: p.percent });
          },
        },
      );
      job.current = running;
      return running.promise.then(
        (rows) => {
          job.current = null;
          if (!live()) return;
          for (const id of alreadyTrusted(rows)) trusted.current.add(id);
          setChoices(new Map());
          setPhase({ step: 'review', round, rows });
        },
        (err: unknown) => {
          job.current = null;
          if (live()) setPhase({ step: 'failed', round, error: toAppError(err), rows: null });
        },
      );
    },
    [client],
  );

  useEffect(() => {
    generation.current += 1;
    void scan(ask.ids, 1);
    return () => {
      generation.current += 1;
      void job.current?.cancel().catch(() => undefined);
    };
  }, [ask, scan]);

  const finish = () => {
    const all = [...outcomes.current.values()];
    const ids = [...trusted.current];
    if (ask.then !== null && ids.length > 0 && all.every((o) => o.ok)) {
      onContinue(ids, ask.then);
      return;
    }
    setPhase({ step: 'done', outcomes: all, trusted: ids });
  };

  const confirm = async (round: number, rows: ScanRow[]) => {
    const request = trustRequest(rows, choices, expected);
    if (request === null) {
      finish();
      return;
    }
    setPhase({ step: 'trusting', round, rows });
    const mine = generation.current;
    try {
      const result = await client.call('devices.trust', request);
      for (const o of result) {
        outcomes.current.set(o.deviceId, o);
        if (o.ok) trusted.current.add(o.deviceId);
      }
      await queryClient.invalidateQueries({ queryKey: callKey('devices.list') });
      if (generation.current !== mine) return;
      // Devices behind a jump host trusted just now can show their own key: another round.
      const waiting = waitingDevices(rows);
      if (waiting.length > 0 && round < maxRounds) {
        setPhase({ step: 'scanning', round: round + 1, phase: 'starting', percent: null });
        await scan(waiting, round + 1);
        return;
      }
      finish();
    } catch (err) {
      if (generation.current === mine) setPhase({ step: 'failed', round, error: toAppError(err), rows });
    }
  };

  if (phase.step === 'scanning') {
    return (
      <Stack gap="xs" data-testid="trust-scanning">
        <Text size="sm">
          {phase.round > 1
            ? `Round ${phase.round}: reading the keys of devices behind the jump hosts trusted just now…`
            : 'Reading the host keys the devices present (nothing is pinned yet)…'}
        </Text>
        <Progress
          size="sm"
          value={phase.percent ?? 100}
          animated={phase.percent === null}
          striped={phase.percent === null}
          aria-label="Host key scan progress"
          data-testid="trust-progress"
        />
        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            {phase.phase}
          </Text>
          <Button size="xs" variant="default" onClick={onClose}>
            Cancel
          </Button>
        </Group>
      </Stack>
    );
  }

  if (phase.step === 'done') {
    return <TrustDone phase={phase} ask={ask} onClose={onClose} onContinue={onContinue} />;
  }

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
                onToggle={(value) => setChoices((c) => new Map(c).set(rowKey(row), value))}
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

const verdictText = {
  new: 'not trusted yet',
  trusted: 'already trusted',
  changed: 'KEY CHANGED',
  waiting: 'behind an untrusted jump host',
  failed: 'cannot read the key',
} as const;

function TrustRow({
  row,
  accepted,
  acceptable,
  expected,
  disabled,
  onToggle,
}: {
  row: ScanRow;
  accepted: boolean;
  acceptable: boolean;
  expected: ReadonlySet<string>;
  disabled: boolean;
  onToggle: (value: boolean) => void;
}) {
  const verdict = verdictOf(row);
  const who = row.role === 'jump' ? `the jump host of ${row.device}` : row.device;
  return (
    <Table.Tr data-testid="trust-row" data-device={row.device} data-role={row.role} data-verdict={verdict}>
      <Table.Td>
        <Checkbox
          size="xs"
          checked={accepted}
          disabled={!acceptable || disabled}
          onChange={(e) => onToggle(e.currentTarget.checked)}
          aria-label={`Trust the key of ${who}`}
          data-testid="trust-accept"
        />
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Text size="sm" fw={500}>
            {row.device}
          </Text>
          {row.role === 'jump' && (
            <Badge size="xs" variant="default" tt="none">
              jump host
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <span className="fleet-mono">{row.endpoint}</span>
      </Table.Td>
      <Table.Td>
        <Text size="xs" data-testid="trust-keytype">
          {row.ok ? row.keyType : ''}
        </Text>
      </Table.Td>
      <Table.Td>
        {row.ok && (
          <span className="fleet-fingerprint" data-testid="trust-fingerprint">
            {row.fingerprint}
          </span>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          <Text
            size="xs"
            fw={verdict === 'changed' ? 700 : undefined}
            c={
              verdict === 'changed' || verdict === 'failed'
                ? 'red'
                : verdict === 'trusted'
                  ? 'dimmed'
                  : undefined
            }
            data-testid="trust-verdict"
          >
            {verdictText[verdict]}
          </Text>
          {row.ok && row.pinned === 'different' && (
            <Text size="xs" c="red">
              pinned: <span className="fleet-fingerprint">{row.pinnedFingerprint}</span>
            </Text>
          )}
          {!row.ok && (
            <Text size="xs" c={verdict === 'waiting' ? 'dimmed' : 'red'}>
              {verdict === 'waiting'
                ? 'Its key is shown once the jump host is trusted.'
                : `${row.error.code}: ${guiWords(row.error.message)}`}
            </Text>
          )}
          {row.ok && expected.size > 0 && row.pinned !== 'same' && (
            <Text size="xs" c={matchesExpected(row, expected) ? 'teal' : 'red'} data-testid="trust-match">
              {matchesExpected(row, expected)
                ? '✓ matches what you typed'
                : '✗ does not match what you typed'}
            </Text>
          )}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}

function TrustDone({
  phase,
  ask,
  onClose,
  onContinue,
}: {
  phase: Extract<Phase, { step: 'done' }>;
  ask: TrustAsk;
  onClose: () => void;
  onContinue: (ids: string[], then: OpKind) => void;
}) {
  const { outcomes, trusted } = phase;
  const then = ask.then;
  return (
    <Stack gap="sm" data-testid="trust-done">
      {outcomes.length === 0 ? (
        <Text size="sm">Nothing was pinned.</Text>
      ) : (
        <ScrollArea.Autosize mah={340} type="auto">
          <Table withTableBorder verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>Result</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {outcomes.map((o) => (
                <Table.Tr key={o.deviceId} data-testid="trust-outcome" data-ok={o.ok}>
                  <Table.Td>{o.device}</Table.Td>
                  <Table.Td>
                    {o.ok ? (
                      <Text size="xs">
                        {o.action === 'unchanged' ? 'already pinned' : o.action}{' '}
                        <span className="fleet-fingerprint">{o.fingerprint}</span> ({o.keyType})
                        {o.previousFingerprint && (
                          <>
                            {' '}
                            — was <span className="fleet-fingerprint">{o.previousFingerprint}</span>
                          </>
                        )}
                        {o.jump && ` · jump host key ${o.jump.action}: ${o.jump.fingerprint}`}
                      </Text>
                    ) : (
                      <Text size="xs" c="red">
                        {o.error.code}: {guiWords(o.error.message)}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
      <Group justify="flex-end" gap="xs">
        <Button size="xs" variant="default" onClick={onClose} data-testid="trust-close">
          Close
        </Button>
        {then !== null && trusted.length > 0 && (
          <Button size="xs" onClick={() => onContinue(trusted, then)} data-testid="trust-continue">
            {capitalize(opLabels[then].imperative)} the{' '}
            {trusted.length === 1 ? 'trusted device' : `${trusted.length} trusted devices`}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
