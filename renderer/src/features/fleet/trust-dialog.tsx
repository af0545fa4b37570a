import { Button, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import type { OpKind } from './fleet-ops';
import { TrustDone } from './trust-done';
import { TrustReview } from './trust-review';
import { useTrustFlow, type TrustAsk, type TrustPhase } from './use-trust-flow';

export type { TrustAsk } from './use-trust-flow';

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

function TrustFlow({ ask, onClose, onContinue }: { ask: TrustAsk } & Omit<TrustDialogProps, 'ask'>) {
  const flow = useTrustFlow(ask, onContinue);
  const { phase } = flow;
  if (phase.step === 'scanning') return <TrustScanning phase={phase} onClose={onClose} />;
  if (phase.step === 'done') {
    return <TrustDone phase={phase} ask={ask} onClose={onClose} onContinue={onContinue} />;
  }
  return <TrustReview ask={ask} phase={phase} flow={flow} onClose={onClose} />;
}

function TrustScanning({
  phase,
  onClose,
}: {
  phase: Extract<TrustPhase, { step: 'scanning' }>;
  onClose: () => void;
}) {
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
