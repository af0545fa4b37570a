import { Alert, Button, Drawer, Group, Stack, Text } from '@mantine/core';
import { AppError } from '../../../../shared/errors';
import type { Device } from '../../../../shared/schemas/fleet';
import { useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { SectionCard } from '../../components/section-card';
import { statusLabels } from './device-filter';
import { DeviceActions } from './device-actions';
import { DeviceConnection } from './device-connection';
import { DeviceFacts } from './device-facts';
import { DeviceHostKey } from './device-host-key';
import { formatAgo, profileMismatch } from './fleet-format';
import type { OpKind } from './fleet-ops';
import { StatusBadge } from './status-badge';

type DeviceDrawerProps = {
  device: Device | null;
  /** The id asked for in the URL, when no such device is loaded (deleted, or a stale link). */
  missingId: string | null;
  onClose: () => void;
  onRun: (kind: OpKind, device: Device) => void;
  onTrust: (device: Device) => void;
  onEdit: (device: Device) => void;
  onRemoved: (device: Device) => void;
  /** A bulk operation is running: the buttons that start one wait. */
  busy: boolean;
  /** Another dialog is open above the drawer: it owns the keyboard (focus trap, Escape). */
  covered: boolean;
};

/** The per-device view: connection settings, pinned key, last status, and the probed facts. */
export function DeviceDrawer({ device, missingId, onClose, covered, ...actions }: DeviceDrawerProps) {
  return (
    <Drawer
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={device !== null || missingId !== null}
      onClose={onClose}
      position="right"
      size="min(620px, 90vw)"
      title={device?.name ?? 'Device'}
      trapFocus={!covered}
      closeOnEscape={!covered}
      data-testid="device-detail"
    >
      {device ? (
        <DeviceDetail key={device.id} device={device} {...actions} />
      ) : (
        <Text size="sm" data-testid="device-missing">
          There is no device with the id {missingId}. It may have been removed.
        </Text>
      )}
    </Drawer>
  );
}

function DeviceDetail({
  device,
  onRun,
  onTrust,
  onEdit,
  onRemoved,
  busy,
}: Omit<DeviceDrawerProps, 'device' | 'missingId' | 'onClose' | 'covered'> & { device: Device }) {
  const status = device.status;
  const profiles = useCall('profiles.list', {});
  const mismatch = profileMismatch(
    { profile: device.profile, facts: device.probe?.facts ?? null },
    profiles.data ?? [],
  );

  return (
    <Stack gap="sm" data-device-id={device.id}>
      <Group gap="xs" wrap="wrap">
        <StatusBadge device={device} testId="detail-status" />
        {status?.latencyMs != null && (
          <Text size="xs" c="dimmed" data-testid="detail-latency">
            {status.latencyMs} ms
          </Text>
        )}
        <Text size="xs" c="dimmed" data-testid="detail-last-seen">
          {device.lastSeenAt ? `last seen ${formatAgo(device.lastSeenAt)}` : 'never seen'}
        </Text>
      </Group>

      <DeviceActions
        device={device}
        onRun={onRun}
        onTrust={onTrust}
        onEdit={onEdit}
        onRemoved={onRemoved}
        busy={busy}
      />

      {status?.error && (
        <ErrorAlert
          title={`Last check: ${statusLabels[status.state]}`}
          error={new AppError(status.error.code, status.error.message, status.error.details)}
          testId="detail-error"
        />
      )}

      {mismatch && (
        <Alert color="yellow" variant="light" p="xs" data-testid="detail-profile-mismatch">
          <Group gap="xs" justify="space-between" wrap="nowrap">
            <Text size="sm">
              The profile {mismatch.profile} is an {mismatch.profileArch} board, but the probe found{' '}
              {mismatch.probedArch}: estimates with that profile do not describe this device. Choose the right
              profile.
            </Text>
            <Button size="compact-xs" variant="default" onClick={() => onEdit(device)}>
              Edit…
            </Button>
          </Group>
        </Alert>
      )}

      <DeviceHostKey device={device} busy={busy} onTrust={onTrust} />

      <SectionCard title="Probed facts" testId="detail-facts">
        {device.probe ? (
          <DeviceFacts facts={device.probe.facts} probedAt={device.probe.probedAt} />
        ) : (
          <Group gap="xs" justify="space-between">
            <Text size="sm" c="dimmed" data-testid="detail-not-probed">
              Not probed yet.
            </Text>
            <Button size="compact-xs" variant="light" onClick={() => onRun('probe', device)} disabled={busy}>
              Probe now
            </Button>
          </Group>
        )}
      </SectionCard>

      <DeviceConnection device={device} />
    </Stack>
  );
}
