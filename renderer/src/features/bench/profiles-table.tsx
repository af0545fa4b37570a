import { ActionIcon, Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import type { HardwareProfile } from '../../../../shared/schemas/bench';
import { TrashIcon } from '../../components/icons';
import { originColors, originLabels, profileFigure, speedFeatures } from './profile-figures';

/** Every profile with its peaks; a row opens its detail, a user profile can be removed. */
export function ProfilesTable({
  profiles,
  onOpen,
  onRemove,
}: {
  profiles: readonly HardwareProfile[];
  onOpen: (profile: HardwareProfile) => void;
  onRemove: (profile: HardwareProfile) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table highlightOnHover withTableBorder data-testid="profiles-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Profile</Table.Th>
            <Table.Th ta="right">Cores</Table.Th>
            <Table.Th ta="right">GHz</Table.Th>
            <Table.Th ta="right">FP32 GFLOP/s</Table.Th>
            <Table.Th ta="right">INT8 GOP/s</Table.Th>
            <Table.Th ta="right">GB/s</Table.Th>
            <Table.Th ta="right">RAM GB</Table.Th>
            <Table.Th ta="right">W</Table.Th>
            <Table.Th>Features</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {profiles.map((p) => (
            <Table.Tr
              key={p.id}
              tabIndex={0}
              onClick={() => onOpen(p)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') onOpen(p);
              }}
              data-testid="profile-row"
              data-profile-id={p.id}
              data-origin={p.origin}
            >
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" fw={500} truncate maw={240}>
                    {p.name}
                  </Text>
                  <Badge size="xs" variant="light" color={originColors[p.origin]} style={{ flexShrink: 0 }}>
                    {originLabels[p.origin]}
                  </Badge>
                </Group>
                <Text size="xs" c="dimmed" truncate maw={300}>
                  <Text span size="xs" ff="monospace">
                    {p.id}
                  </Text>{' '}
                  · {p.cpuModel}
                </Text>
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {p.cores}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {profileFigure(p.clockGHz, 2)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {profileFigure(p.peakGflopsFp32)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {profileFigure(p.peakGopsInt8)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {profileFigure(p.memoryBandwidthGBs)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {profileFigure(p.ramGB)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {profileFigure(p.typicalPowerW)}
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                  {speedFeatures(p.features)}
                </Text>
              </Table.Td>
              <Table.Td>
                {p.origin === 'user' && (
                  <Tooltip label={`Remove ${p.name}`}>
                    <ActionIcon
                      size="sm"
                      variant="subtle"
                      color="red"
                      aria-label={`Remove ${p.name}`}
                      onClick={(e) => {
                        e.stopPropagation();
                        onRemove(p);
                      }}
                      data-testid="profile-remove"
                    >
                      <TrashIcon size={14} />
                    </ActionIcon>
                  </Tooltip>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
