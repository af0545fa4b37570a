import { Button, CloseButton, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { DeviceRelease, Deployment } from '../../../../shared/schemas/deploy';
import type { Model } from '../../../../shared/schemas/models';
import { EmptyState } from '../../components/empty-state';
import { HistoryIcon } from '../../components/icons';
import { formatDateTime } from '../../lib/format';
import { releaseText } from '../deploy/deploy-labels';
import { ReleaseLabel } from '../deploy/release-label';
import { pastReleases } from './device-history';
import type { RollbackRequest } from './history-ops';

type DeviceHistoryPanelProps = {
  deviceName: string;
  releases: readonly DeviceRelease[];
  deployments: readonly Deployment[];
  modelsById: ReadonlyMap<string, Model>;
  onRollback: (request: RollbackRequest) => void;
  onClose: () => void;
  busy: boolean;
};

/** One device's release history: what it runs, and every release it was sent, each one a rollback target. */
export function DeviceHistoryPanel({
  deviceName,
  releases,
  deployments,
  modelsById,
  onRollback,
  onClose,
  busy,
}: DeviceHistoryPanelProps) {
  const mine = releases.filter((r) => r.deviceName.toLowerCase() === deviceName.toLowerCase());
  const past = pastReleases(deployments, mine);
  return (
    <Paper
      withBorder
      p="sm"
      component="section"
      aria-label={`Release history of ${deviceName}`}
      data-testid="device-history"
      data-device={deviceName}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h5">
            Release history of {deviceName}
          </Title>
          <CloseButton size="sm" aria-label="Show every device" onClick={onClose} />
        </Group>
        {mine.length === 0 && past.length === 0 ? (
          <EmptyState
            icon={<HistoryIcon size={22} />}
            title={`Nothing deployed to ${deviceName} yet`}
            description="Once a deploy reaches this device, each release it was sent shows here, ready to roll back to."
            action={{ label: 'Deploy to it', to: '/deploy' }}
            testId="device-history-empty"
            framed={false}
          />
        ) : mine.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing recorded as running on {deviceName}.
          </Text>
        ) : (
          mine.map((r) => (
            <Text key={r.modelName} size="sm" data-testid="device-history-current" data-model={r.modelName}>
              <b>{r.modelName}</b>: runs <code>{releaseText(r.current, modelsById)}</code>
              {r.previous && (
                <>
                  , previous <code>{releaseText(r.previous, modelsById)}</code>
                </>
              )}
            </Text>
          ))
        )}
        {past.length > 0 && (
          <Table withTableBorder data-testid="device-history-releases">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Model</Table.Th>
                <Table.Th>Release</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th ta="right">Go back</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {past.map((p) => {
                const current = mine.find((r) => r.modelName === p.modelName);
                return (
                  <Table.Tr
                    key={`${p.modelName}:${p.release}`}
                    data-testid="device-history-release"
                    data-release={p.release}
                  >
                    <Table.Td>
                      <Text size="sm">{p.modelName}</Text>
                    </Table.Td>
                    <Table.Td>
                      <ReleaseLabel
                        release={{ release: p.release, sha256: null, variantId: p.variantId, version: null }}
                        modelsById={modelsById}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c="dimmed">
                        {formatDateTime(p.deployedAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Button
                        size="compact-xs"
                        variant="default"
                        disabled={busy || current === undefined}
                        onClick={() =>
                          onRollback({
                            deviceId: current?.deviceId ?? '',
                            deviceName,
                            modelName: p.modelName,
                            toRelease: p.release,
                            fromRelease: current?.current?.release ?? null,
                          })
                        }
                        aria-label={`Roll ${deviceName} back to ${p.release}`}
                        data-testid="device-history-rollback"
                      >
                        Roll back to this
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
        <Text size="xs" c="dimmed">
          A device keeps its last few releases; going back to an older one that was pruned fails and says so.
          The deployments below are the ones that touched {deviceName}.
        </Text>
      </Stack>
    </Paper>
  );
}
