import { Button, CopyButton, Group, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core';
import type { Device, PinnedHostKey } from '../../../../shared/schemas/fleet';
import { SectionCard } from '../../components/section-card';
import { formatDateTime } from '../../lib/format';

/** The pinned key (and the jump host's), or the way to trust one. */
export function DeviceHostKey({
  device,
  busy,
  onTrust,
}: {
  device: Device;
  busy: boolean;
  onTrust: (device: Device) => void;
}) {
  return (
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
