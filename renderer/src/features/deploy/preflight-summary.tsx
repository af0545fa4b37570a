import { Alert, Anchor, Group, List, Loader, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { DeployPreview } from '../../../../shared/schemas/deploy';
import { ErrorAlert } from '../../components/error-alert';
import { formatBytes } from '../../lib/format';
import { countDevices } from '../fleet/fleet-format';
import { summarizePreview, type PreflightSummary } from './deploy-form';
import { fleetLink } from './target-picker-model';

type PreflightProps = {
  preview: DeployPreview | undefined;
  pending: boolean;
  error: unknown;
  /** Nothing to check yet: no variant or no targets. */
  idle: boolean;
};

/** What the deploy would do, from the records alone (no device is contacted until Deploy). */
export function PreflightSummary({ preview, pending, error, idle }: PreflightProps) {
  if (idle)
    return (
      <Text size="sm" c="dimmed" data-testid="preflight-idle">
        Pick a variant and its targets to see what the deploy would do.
      </Text>
    );
  if (error) return <ErrorAlert title="Cannot check these targets" error={error} testId="preflight-error" />;
  if (pending || !preview)
    return (
      <Group gap="xs" data-testid="preflight-pending">
        <Loader size="xs" aria-label="Checking the targets" />
        <Text size="sm" c="dimmed">
          Checking the targets…
        </Text>
      </Group>
    );

  const s = summarizePreview(preview);
  return (
    <Stack
      gap="xs"
      data-testid="preflight"
      data-devices={s.devices}
      data-deploy={s.willDeploy.length}
      data-unchanged={s.unchanged.length}
      data-repair={s.repair.length}
      data-untrusted={s.untrusted.length}
    >
      <Text size="sm" data-testid="preflight-line">
        {preflightLine(s, preview)}
      </Text>
      {s.unchanged.length > 0 && s.unchanged.length < s.devices && (
        <Text size="xs" c="dimmed" data-testid="preflight-unchanged">
          Unchanged (nothing is sent, nothing restarts): {s.unchanged.map((d) => d.deviceName).join(', ')}
        </Text>
      )}
      {s.untrusted.length > 0 && (
        <Alert color="orange" variant="light" p="xs" data-testid="preflight-untrusted">
          <Text size="xs">
            The deploy refuses devices whose host key is not pinned. Trust them on the Fleet page first:{' '}
            {s.untrusted.map((d, i) => (
              <span key={d.deviceId}>
                {i > 0 && ', '}
                <Anchor component={Link} to={fleetLink(d.deviceId)} size="xs">
                  {d.deviceName}
                </Anchor>
              </span>
            ))}
          </Text>
        </Alert>
      )}
      {s.withNotes.length > 0 && (
        <List size="xs" spacing={2} data-testid="preflight-notes">
          {s.withNotes.flatMap((d) =>
            d.notes.map((note) => (
              <List.Item key={`${d.deviceId}:${note}`}>
                <b>{d.deviceName}</b>: {note}
              </List.Item>
            )),
          )}
        </List>
      )}
      <Text size="xs" c="dimmed">
        Each device: connect (pinned key) → preflight (disk, write access) → upload → verify sha256 → switch
        atomically → restart and health check (when set) → switch back on failure.
      </Text>
    </Stack>
  );
}

/**
 * "2 devices: 1 will receive small-cnn-int8 (7 KiB), 1 already runs it, 1 not trusted." The variant is named
 * by its own library name (the parent's name is only the directory on the device).
 */
export function preflightLine(s: PreflightSummary, preview: DeployPreview): string {
  if (s.devices === 0) return 'No device matches these targets.';
  const n = (count: number) => count.toLocaleString('en-US');
  const name = preview.variantName;
  if (s.unchanged.length === s.devices)
    return `${countDevices(s.devices)}: ${s.devices === 1 ? 'it already runs' : 'all already run'} ${name} — a deploy changes nothing.`;
  if (s.repair.length === s.willDeploy.length && s.unchanged.length + s.repair.length === s.devices)
    return `${countDevices(s.devices)}: ${name} modified on the ${s.repair.length === 1 ? 'device' : 'devices'} — will repair${
      s.unchanged.length > 0
        ? ` (${n(s.unchanged.length)} already ${s.unchanged.length === 1 ? 'runs' : 'run'} it)`
        : ''
    }.`;
  const parts = [
    `${n(s.willDeploy.length)} will receive ${name} (${formatBytes(preview.sizeBytes)}${
      s.willDeploy.length > 1 ? ` each, ${formatBytes(s.bytesToSend)} in all` : ''
    })`,
  ];
  if (s.repair.length > 0) parts.push(`${n(s.repair.length)} of them modified on the device — will repair`);
  if (s.unchanged.length > 0)
    parts.push(`${n(s.unchanged.length)} already ${s.unchanged.length === 1 ? 'runs' : 'run'} it`);
  if (s.untrusted.length > 0) parts.push(`${n(s.untrusted.length)} not trusted`);
  return `${countDevices(s.devices)}: ${parts.join(', ')}.`;
}
