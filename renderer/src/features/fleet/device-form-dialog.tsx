import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { Device } from '../../../../shared/schemas/fleet';
import { AuthFields } from './device-auth-fields';
import { DeploymentFields, IdentityFields } from './device-form-fields';
import { useDeviceForm, type FormMode } from './use-device-form';

export type { FormMode } from './use-device-form';

type DeviceFormDialogProps = {
  mode: FormMode | null;
  onClose: () => void;
  onSaved: (device: Device, kind: FormMode['kind']) => void;
  /** For suggestions: jump hosts are often other devices; tags and profiles repeat across devices. */
  deviceNames: readonly string[];
  tags: readonly string[];
  profiles: readonly string[];
};

export function DeviceFormDialog({ mode, onClose, ...rest }: DeviceFormDialogProps) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={mode !== null}
      onClose={onClose}
      title={mode?.kind === 'edit' ? `Edit ${mode.device.name}` : 'Add a device'}
      size="xl"
      data-testid="device-form-dialog"
    >
      {/* Keyed: opening the dialog for another device starts from that device's values. */}
      {mode && (
        <DeviceForm
          key={mode.kind === 'edit' ? mode.device.id : 'add'}
          mode={mode}
          onClose={onClose}
          {...rest}
        />
      )}
    </Modal>
  );
}

function DeviceForm({
  mode,
  onClose,
  onSaved,
  deviceNames,
  tags,
  profiles,
}: Omit<DeviceFormDialogProps, 'mode'> & { mode: FormMode }) {
  const form = useDeviceForm(mode, profiles, onSaved);
  return (
    <form onSubmit={form.submit} onKeyDown={form.onKeyDown} noValidate data-testid="device-form">
      <Stack gap="sm">
        <IdentityFields form={form} tags={tags} />
        <AuthFields form={form} />
        <DeploymentFields form={form} deviceNames={deviceNames} />

        {form.refusal && (
          <Alert color="red" variant="light" p="xs" role="alert" data-testid="device-form-error">
            <Text size="sm">
              {form.errorCode}: {form.refusal}
            </Text>
          </Alert>
        )}

        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            Ctrl+Enter saves
          </Text>
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button size="xs" type="submit" loading={form.saving} data-testid="device-form-submit">
              {form.mode.kind === 'add' ? 'Add device' : 'Save changes'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
