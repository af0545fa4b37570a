import { Alert, Text } from '@mantine/core';
import { secretNeedsIn } from './fleet-ops';
import { OpPanel } from './op-panel';
import type { FleetAsks } from './use-fleet-asks';

type FleetMessagesProps = {
  notice: string | null;
  onDismissNotice: () => void;
  asks: FleetAsks;
  onSelect: (ids: string[]) => void;
};

/** Above the table: the last action's notice, and the bulk operation's progress and results. */
export function FleetMessages({ notice, onDismissNotice, asks, onSelect }: FleetMessagesProps) {
  const { op } = asks;
  return (
    <>
      {notice && (
        <Alert
          color="teal"
          variant="light"
          p="xs"
          withCloseButton
          onClose={onDismissNotice}
          closeButtonLabel="Dismiss"
          data-testid="fleet-notice"
        >
          <Text size="sm">{notice}</Text>
        </Alert>
      )}

      <OpPanel
        op={op}
        onCancel={asks.cancel}
        onDismiss={asks.dismiss}
        onTrust={(ids) => asks.askTrust(ids, op.status === 'done' ? op.kind : null)}
        onSecrets={() => {
          if (op.status === 'done') asks.setSecretAsk({ needs: secretNeedsIn(op.outcomes), then: op.kind });
        }}
        onSelect={onSelect}
      />
    </>
  );
}
