import { Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import type { RollbackRequest } from './history-ops';

type RollbackDialogProps = {
  request: RollbackRequest | null;
  onConfirm: (request: RollbackRequest) => void;
  onClose: () => void;
};

/** A release name in code font; words (not a code-font placeholder) when the record has no name. */
function ReleaseName({ name }: { name: string | null }) {
  return name === null ? (
    <span data-testid="rollback-to">the release it ran before (as the device records it)</span>
  ) : (
    <Code data-testid="rollback-to">{name}</Code>
  );
}

/** Rollback touches a live device: say exactly what will switch, then one click does it. */
export function RollbackDialog({ request, onConfirm, onClose }: RollbackDialogProps) {
  return (
    <Modal
      opened={request !== null}
      onClose={onClose}
      title={request ? `Roll back ${request.deviceName}` : 'Roll back'}
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
      data-testid="rollback-dialog"
    >
      {request && (
        <Stack gap="sm">
          <Text size="sm">
            Switch <b>{request.modelName}</b> on <b>{request.deviceName}</b> from{' '}
            {request.fromRelease === null ? 'its current release' : <Code>{request.fromRelease}</Code>} to{' '}
            <ReleaseName name={request.toRelease ?? request.previousRelease ?? null} />.
          </Text>
          <Text size="xs" c="dimmed">
            The switch is atomic, then the device&apos;s restart and health-check commands run as in a deploy.
            If the health check fails, the device goes back to what it runs now.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" size="xs" onClick={onClose}>
              Keep it
            </Button>
            <Button
              size="xs"
              color="orange"
              onClick={() => onConfirm(request)}
              data-testid="rollback-confirm"
            >
              Roll back
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
