import { Button, Center, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { HardwareProfile } from '../../../../shared/schemas/bench';
import { useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { SectionCard } from '../../components/section-card';
import { ProfileDetail } from './profile-detail';
import { ProfileImport } from './profile-import';
import { ProfileRemoveDialog } from './profile-remove-dialog';
import { ProfilesTable } from './profiles-table';

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
        {profiles.data && <ProfilesTable profiles={profiles.data} onOpen={setOpen} onRemove={setRemoving} />}
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
      <ProfileRemoveDialog profile={removing} onClose={() => setRemoving(null)} />
    </Stack>
  );
}
