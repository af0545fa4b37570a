import {
  ActionIcon,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AppError } from '../../../../shared/errors';
import type { HardwareProfile } from '../../../../shared/schemas/bench';
import { useClient } from '../../api/client-context';
import { callKey, useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { TrashIcon } from '../../components/icons';
import { SectionCard } from '../../components/section-card';
import { ProfileDetail } from './profile-detail';
import { ProfileImport } from './profile-import';

/** ISA features that decide what runs fast (int8 dot products, fp16 arithmetic, wide vectors). */
export const keyFeatures = ['neon', 'dotprod', 'fp16', 'i8mm', 'avx2', 'avx512f', 'vnni', 'amx'];

const num = (x: number | undefined, digits = 1) =>
  x === undefined ? '—' : Number(x.toFixed(digits)).toString();

const originColor = { builtin: 'gray', user: 'grape', measured: 'teal' } as const;

/** The hardware catalog: built-ins with their sources, the user's own (import, remove), and this machine. */
export function ProfilesView() {
  const profiles = useCall('profiles.list', {});
  const [open, setOpen] = useState<HardwareProfile | null>(null);
  const [removing, setRemoving] = useState<HardwareProfile | null>(null);
  const [measure, setMeasure] = useState(false);
  const machine = useCall('profiles.get', { id: 'this-machine' }, { enabled: measure });

  return (
    <Stack gap="sm" data-testid="profiles-view">
      <SectionCard title="Hardware profiles" testId="profiles-card">
        <Text size="xs" c="dimmed">
          Peaks are theoretical (cores × clock × operations per cycle); the estimator scales them by the
          efficiency ONNX Runtime reaches on this machine. Click a profile for every value and where it comes
          from.
        </Text>
        <ProfileImport />
        {profiles.isPending && (
          <Center p="md">
            <Loader size="sm" aria-label="Loading profiles" />
          </Center>
        )}
        {profiles.error && <ErrorAlert title="Cannot load the profiles" error={profiles.error} />}
        {profiles.data && (
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
                {profiles.data.map((p) => (
                  <Table.Tr
                    key={p.id}
                    tabIndex={0}
                    onClick={() => setOpen(p)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') setOpen(p);
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
                        <Badge
                          size="xs"
                          variant="light"
                          color={originColor[p.origin]}
                          style={{ flexShrink: 0 }}
                        >
                          {p.origin === 'builtin' ? 'built-in' : p.origin === 'user' ? 'yours' : 'measured'}
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
                      {num(p.clockGHz, 2)}
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {num(p.peakGflopsFp32)}
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {num(p.peakGopsInt8)}
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {num(p.memoryBandwidthGBs)}
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {num(p.ramGB)}
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {num(p.typicalPowerW)}
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                        {p.features.filter((f) => keyFeatures.includes(f)).join(' ') || '—'}
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
                              setRemoving(p);
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
        )}
      </SectionCard>

      <SectionCard title="This machine" testId="this-machine-card">
        <Text size="xs" c="dimmed">
          Measured, not looked up: ONNX Runtime micro-benchmarks (MatMul, convolutions, int8, memory streams)
          calibrate every estimate. A benchmark run does this too; the result is reused for 12 hours.
        </Text>
        {!measure && (
          <Group>
            <Button
              size="xs"
              variant="default"
              onClick={() => setMeasure(true)}
              data-testid="measure-this-machine"
            >
              Measure this machine
            </Button>
          </Group>
        )}
        {measure && machine.isPending && (
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="xs">Calibrating with ORT micro-runs (a few seconds)…</Text>
          </Group>
        )}
        {machine.error && <ErrorAlert title="Cannot measure this machine" error={machine.error} />}
        {machine.data && <ProfileDetail profile={machine.data} />}
      </SectionCard>

      <Modal
        opened={open !== null}
        onClose={() => setOpen(null)}
        title={open?.name ?? ''}
        size="xl"
        closeButtonProps={{ 'aria-label': 'Close' }}
        data-testid="profile-detail-dialog"
      >
        {open && <ProfileDetail profile={open} />}
      </Modal>
      <RemoveDialog profile={removing} onClose={() => setRemoving(null)} />
    </Stack>
  );
}

function RemoveDialog({ profile, onClose }: { profile: HardwareProfile | null; onClose: () => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const remove = useMutation<{ id: string }, AppError, string>({
    mutationFn: (id) => client.call('profiles.remove', { id }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: callKey('profiles.list') });
      onClose();
    },
  });
  return (
    <Modal
      opened={profile !== null}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      title="Remove profile"
      closeButtonProps={{ 'aria-label': 'Close' }}
      data-testid="profile-remove-dialog"
    >
      {profile && (
        <Stack gap="sm">
          <Text size="sm">
            Remove “{profile.name}” ({profile.id})? Stored results estimated on it stay; new benchmarks can no
            longer use it until you import it again.
          </Text>
          {remove.error && <ErrorAlert title="Cannot remove the profile" error={remove.error} />}
          <Group justify="flex-end" gap="xs">
            <Button size="xs" variant="default" onClick={onClose}>
              Keep it
            </Button>
            <Button
              size="xs"
              color="red"
              loading={remove.isPending}
              onClick={() => remove.mutate(profile.id)}
              data-testid="profile-remove-confirm"
            >
              Remove
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
