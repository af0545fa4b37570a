import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  DataList,
  Drawer,
  Group,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { AppError } from '../../../../shared/errors';
import type { Device, PinnedHostKey } from '../../../../shared/schemas/fleet';
import { useClient } from '../../api/client-context';
import { useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { SectionCard } from '../../components/section-card';
import { TrashIcon } from '../../components/icons';
import { formatDateTime } from '../../lib/format';
import { addressOf, statusLabels } from './device-filter';
import { DeviceFacts } from './device-facts';
import { formatAgo, profileMismatch } from './fleet-format';
import type { OpKind } from './fleet-ops';
import { StatusBadge } from './status-badge';

/** Long paths and commands wrap inside the drawer instead of pushing its cards wider than the drawer. */
const wrapCode = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' } as const;

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

function Item({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue data-testid={testId}>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

const none = (
  <Text span size="sm" c="dimmed">
    —
  </Text>
);

function DeviceDetail({
  device,
  onRun,
  onTrust,
  onEdit,
  onRemoved,
  busy,
}: Omit<DeviceDrawerProps, 'device' | 'missingId' | 'onClose' | 'covered'> & { device: Device }) {
  const client = useClient();
  const [confirmRemove, setConfirmRemove] = useState(false);
  const remove = useMutation<unknown, AppError>({
    mutationFn: () => client.call('devices.remove', { ref: device.id }),
    onSuccess: () => onRemoved(device),
  });
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

      <SectionCard title="Host key" testId="detail-host-key">
        {device.hostKey ? (
          <PinnedKey pinned={device.hostKey} testId="detail-fingerprint" />
        ) : (
          <Group gap="xs" justify="space-between">
            <Text size="sm">
              Not trusted yet: every connection is refused until you check and trust its key.
            </Text>
            <Button size="compact-xs" variant="light" onClick={() => onTrust(device)} disabled={busy}>
              Trust…
            </Button>
          </Group>
        )}
        {device.jumpHostKey && (
          <>
            <Text size="xs" fw={500}>
              Jump host {device.jump}
            </Text>
            <PinnedKey pinned={device.jumpHostKey} testId="detail-jump-fingerprint" />
          </>
        )}
      </SectionCard>

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

      <SectionCard title="Connection" testId="detail-connection">
        <DataList size="sm" gap={6} labelWidth="118px">
          <Item label="Address" testId="detail-address">
            <Code style={wrapCode}>{addressOf(device)}</Code>
          </Item>
          <Item label="Authentication" testId="detail-auth">
            {device.authMethod === 'key' ? (
              <>
                key file <Code style={wrapCode}>{device.keyPath}</Code>
              </>
            ) : device.authMethod === 'agent' ? (
              'ssh-agent'
            ) : (
              'password (asked at use, kept in memory only)'
            )}
          </Item>
          <Item label="Jump host">{device.jump ?? none}</Item>
          <Item label="Tags" testId="detail-tags">
            {device.tags.length === 0 ? (
              none
            ) : (
              <Group gap={4}>
                {device.tags.map((t) => (
                  <Badge key={t} size="sm" variant="default" tt="none">
                    {t}
                  </Badge>
                ))}
              </Group>
            )}
          </Item>
          <Item label="Profile">{device.profile ?? none}</Item>
          <Item label="Deploy root">
            <Code style={wrapCode}>{device.deployRoot}</Code>
          </Item>
          <Item label="Restart command">
            {device.restartCmd ? (
              <Code block style={wrapCode}>
                {device.restartCmd}
              </Code>
            ) : (
              none
            )}
          </Item>
          <Item label="Health check">
            {device.healthCmd ? (
              <Code block style={wrapCode}>
                {device.healthCmd}
              </Code>
            ) : (
              none
            )}
          </Item>
          <Item label="Notes">
            {device.notes ? (
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {device.notes}
              </Text>
            ) : (
              none
            )}
          </Item>
          <Item label="Last check">
            {status
              ? `${formatDateTime(status.checkedAt)}${status.latencyMs !== null ? `, ${status.latencyMs} ms` : ''}`
              : none}
          </Item>
          <Item label="Added">{formatDateTime(device.createdAt)}</Item>
          <Item label="Changed">{formatDateTime(device.updatedAt)}</Item>
        </DataList>
      </SectionCard>
    </Stack>
  );
}

function PinnedKey({ pinned, testId }: { pinned: PinnedHostKey; testId: string }) {
  return (
    <Stack gap={2}>
      <CopyButton value={pinned.fingerprint}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy fingerprint'}>
            <UnstyledButton
              onClick={copy}
              aria-label={`Copy fingerprint ${pinned.fingerprint}`}
              style={{ display: 'block', textAlign: 'left' }}
            >
              <span className="fleet-fingerprint" data-testid={testId}>
                {pinned.fingerprint}
              </span>
            </UnstyledButton>
          </Tooltip>
        )}
      </CopyButton>
      <Text size="xs" c="dimmed">
        {pinned.keyType}, pinned {formatDateTime(pinned.pinnedAt)}
      </Text>
    </Stack>
  );
}
