import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { AppError } from '../../../../shared/errors';
import type { Device } from '../../../../shared/schemas/fleet';
import { useClient } from '../../api/client-context';
import { ErrorAlert } from '../../components/error-alert';
import { TrashIcon } from '../../components/icons';
import type { OpKind } from './fleet-ops';

type DeviceActionsProps = {
  device: Device;
  onRun: (kind: OpKind, device: Device) => void;
  onTrust: (device: Device) => void;
  onEdit: (device: Device) => void;
  onRemoved: (device: Device) => void;
  /** A bulk operation is running: the buttons that start one wait. */
  busy: boolean;
};

/** What can be done to the device: probe, check, trust, edit, and remove (confirmed in place). */
export function DeviceActions({ device, onRun, onTrust, onEdit, onRemoved, busy }: DeviceActionsProps) {
  const client = useClient();
  const [confirmRemove, setConfirmRemove] = useState(false);
  const remove = useMutation<unknown, AppError>({
    mutationFn: () => client.call('devices.remove', { ref: device.id }),
    onSuccess: () => onRemoved(device),
  });
  return (
    <>
      <Group gap="xs">
        <Button size="xs" onClick={() => onRun('probe', device)} disabled={busy} data-testid="detail-probe">
          Probe
        </Button>
        <Button
          size="xs"
          variant="default"
          onClick={() => onRun('status', device)}
          disabled={busy}
          data-testid="detail-status-check"
        >
          Check status
        </Button>
        <Button
          size="xs"
          variant="default"
          onClick={() => onTrust(device)}
          disabled={busy}
          data-testid="detail-trust"
        >
          {device.hostKey === null ? 'Trust host key…' : 'Check host key…'}
        </Button>
        <Button size="xs" variant="default" onClick={() => onEdit(device)} data-testid="detail-edit">
          Edit…
        </Button>
        <Button
          size="xs"
          variant="outline"
          color="red"
          leftSection={<TrashIcon size={14} />}
          onClick={() => setConfirmRemove(true)}
          data-testid="detail-remove"
        >
          Remove…
        </Button>
      </Group>

      {/* Inline, not a second modal: the drawer keeps the keyboard and Escape. */}
      {confirmRemove && (
        <Alert
          color="red"
          variant="light"
          p="xs"
          data-testid="remove-confirm"
          title={`Remove ${device.name}?`}
        >
          <Stack gap="xs">
            <Text size="sm">
              This forgets the device, its pinned host key and its probe. Nothing on the device is touched.
            </Text>
            {remove.error && <ErrorAlert title="Cannot remove this device" error={remove.error} />}
            <Group gap="xs">
              <Button size="xs" variant="default" onClick={() => setConfirmRemove(false)} data-autofocus>
                Cancel
              </Button>
              <Button
                size="xs"
                color="red"
                onClick={() => remove.mutate()}
                loading={remove.isPending}
                data-testid="remove-confirm-button"
              >
                Remove
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
    </>
  );
}
