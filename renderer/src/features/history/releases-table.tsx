import { Anchor, Button, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import type { DeviceRelease } from '../../../../shared/schemas/deploy';
import type { Model } from '../../../../shared/schemas/models';
import { ReleaseLabel } from '../deploy/release-label';
import { formatAgo } from '../fleet/fleet-format';

const sourceWords: Record<DeviceRelease['source'], string> = {
  deploy: 'deployed',
  rollback: 'rolled back',
  drift: 'adopted by a drift check',
};

type ReleasesTableProps = {
  releases: readonly DeviceRelease[];
  modelsById: ReadonlyMap<string, Model>;
  selectedDevice: string | null;
  onSelectDevice: (deviceName: string) => void;
  onRollback: (release: DeviceRelease) => void;
  /** A rollback is running: one at a time. */
  busy: boolean;
};

/** What runs where, per device and model, with the release each would go back to. */
export function ReleasesTable({
  releases,
  modelsById,
  selectedDevice,
  onSelectDevice,
  onRollback,
  busy,
}: ReleasesTableProps) {
  return (
    <Table withTableBorder data-testid="releases-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Device</Table.Th>
          <Table.Th>Model</Table.Th>
          <Table.Th>Current release</Table.Th>
          <Table.Th>Previous release</Table.Th>
          <Table.Th>Last change</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {releases.map((r) => {
          const selected = selectedDevice?.toLowerCase() === r.deviceName.toLowerCase();
          return (
            <Table.Tr
              key={`${r.deviceId}:${r.modelName}`}
              data-testid="release-row"
              data-device={r.deviceName}
              data-model={r.modelName}
              data-current={r.current?.release ?? ''}
              data-previous={r.previous?.release ?? ''}
              aria-selected={selected}
            >
              <Table.Td>
                <Anchor
                  component="button"
                  type="button"
                  size="sm"
                  fw={500}
                  onClick={() => onSelectDevice(r.deviceName)}
                  aria-label={`Release history of ${r.deviceName}`}
                  data-testid="release-device"
                >
                  {r.deviceName}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                  {r.modelName}
                </Text>
              </Table.Td>
              <Table.Td>
                <ReleaseLabel release={r.current} modelsById={modelsById} testId="release-current" />
              </Table.Td>
              <Table.Td>
                <ReleaseLabel release={r.previous} modelsById={modelsById} testId="release-previous" />
              </Table.Td>
              <Table.Td>
                <Text size="xs" c="dimmed">
                  {sourceWords[r.source]} {formatAgo(r.updatedAt)}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <Tooltip
                  label={
                    r.previous === null
                      ? 'No previous release is recorded for this device'
                      : `Switch ${r.deviceName} back to ${r.previous.release}`
                  }
                >
                  <Button
                    size="compact-xs"
                    variant="default"
                    onClick={() => onRollback(r)}
                    disabled={busy || r.previous === null}
                    aria-label={`Roll back ${r.deviceName} (${r.modelName})`}
                    data-testid="release-rollback"
                  >
                    Roll back
                  </Button>
                </Tooltip>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
