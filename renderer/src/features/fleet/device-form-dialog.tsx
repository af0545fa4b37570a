import {
  Alert,
  Autocomplete,
  Button,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { AppError, toAppError } from '../../../../shared/errors';
import type { AuthMethod, Device } from '../../../../shared/schemas/fleet';
import { useClient } from '../../api/client-context';
import { useCall } from '../../api/queries';
import { guiWords } from '../../lib/gui-words';
import {
  emptyValues,
  serverErrors,
  toInput,
  toPatch,
  valuesOf,
  type DeviceFormValues,
  type FieldErrors,
} from './device-form';
import { monoInput } from './fleet-styles';

export type FormMode = { kind: 'add' } | { kind: 'edit'; device: Device };

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

const authChoices: { value: AuthMethod; label: string }[] = [
  { value: 'key', label: 'Key file' },
  { value: 'agent', label: 'ssh-agent' },
  { value: 'password', label: 'Password' },
];

function DeviceForm({
  mode,
  onClose,
  onSaved,
  deviceNames,
  tags,
  profiles,
}: Omit<DeviceFormDialogProps, 'mode'> & { mode: FormMode }) {
  const client = useClient();
  const [values, setValues] = useState<DeviceFormValues>(() =>
    mode.kind === 'edit' ? valuesOf(mode.device) : emptyValues(),
  );
  // Checked on submit first; after that, as the user corrects each field.
  const [checked, setChecked] = useState(false);
  const [serverFields, setServerFields] = useState<FieldErrors>({});

  const check = (v: DeviceFormValues) => (mode.kind === 'edit' ? toPatch(v, mode.device) : toInput(v));
  const local = checked ? check(values) : null;
  const errors: FieldErrors = { ...(local && !local.ok ? local.errors : {}), ...serverFields };

  const builtIn = useCall('profiles.list', {});
  const profileChoices = useMemo(() => {
    const catalog = (builtIn.data ?? []).map((p) => p.id);
    const own = profiles.filter((p) => !catalog.includes(p));
    return [
      { group: 'Hardware profiles', items: catalog },
      ...(own.length > 0 ? [{ group: 'Used in this fleet', items: own }] : []),
    ];
  }, [builtIn.data, profiles]);

  /** A missing or unreadable key file is reported at its field now, not at the first connection. */
  const checkKeyFile = async (keyPath: string | null | undefined) => {
    if (keyPath === undefined || keyPath === null) return;
    try {
      await client.call('devices.checkKeyFile', { path: keyPath });
    } catch (err) {
      const error = toAppError(err);
      if (error.code !== 'FILE_NOT_FOUND' && error.code !== 'FILE_UNREADABLE') throw error;
      throw new AppError('BAD_REQUEST', error.message, {
        issues: [{ path: ['keyPath'], message: guiWords(error.message) }],
      });
    }
  };

  const save = useMutation<Device, AppError, DeviceFormValues>({
    mutationFn: async (v) => {
      if (mode.kind === 'add') {
        const input = toInput(v);
        if (!input.ok) throw new AppError('BAD_REQUEST', 'Correct the marked fields.');
        await checkKeyFile(input.value.keyPath);
        return client.call('devices.add', input.value);
      }
      const patch = toPatch(v, mode.device);
      if (!patch.ok) throw new AppError('BAD_REQUEST', 'Correct the marked fields.');
      if (Object.keys(patch.value).length === 0) return mode.device;
      // Only a key path that changed (or a switch to key auth) is checked: editing the notes of a device
      // whose key is elsewhere right now must still work.
      await checkKeyFile(patch.value.keyPath);
      return client.call('devices.update', { ref: mode.device.id, patch: patch.value });
    },
    onSuccess: (device) => onSaved(device, mode.kind),
    onError: (err) => {
      const { fields } = serverErrors(toAppError(err));
      setServerFields(fields);
      focusFirstError(fields);
    },
  });
  const refusal = save.error ? serverErrors(save.error).rest : null;

  // Only the desktop app has a native dialog; a file chosen there may live outside ~/.ssh.
  const desktop = useCall('app.info', {}).data?.shell === 'electron';
  const chooseKey = () => {
    client.call('files.pickKey', {}).then(
      (picked) => {
        if (picked !== null) set('keyPath', picked.keyPath);
      },
      () => undefined,
    );
  };
  const set = <K extends keyof DeviceFormValues>(key: K, value: DeviceFormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    // A server complaint about a field is stale once the user changed that field.
    setServerFields(({ [key]: _dropped, ...others }) => others);
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    setChecked(true);
    const result = check(values);
    if (!result.ok) {
      focusFirstError(result.errors);
      return;
    }
    save.mutate(values);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit();
  };

  const text = (key: 'name' | 'host' | 'user' | 'keyPath' | 'deployRoot') => ({
    value: values[key],
    onChange: (event: { currentTarget: { value: string } }) => set(key, event.currentTarget.value),
    error: errors[key],
    id: `device-field-${key}`,
    'data-testid': `field-${key}`,
    size: 'xs' as const,
  });

  return (
    <form onSubmit={submit} onKeyDown={onKeyDown} noValidate data-testid="device-form">
      <Stack gap="sm">
        <SimpleGrid cols={2} spacing="sm" verticalSpacing="xs">
          <TextInput
            label="Name"
            description="Letters, digits, . _ - ; used as the CLI and inventory name"
            required
            data-autofocus
            {...text('name')}
          />
          <TagsInput
            label="Tags"
            description="Enter or comma after each tag"
            data={tags as string[]}
            value={values.tags}
            onChange={(v) => set('tags', v)}
            error={errors.tags}
            acceptValueOnBlur
            clearable
            size="xs"
            id="device-field-tags"
            data-testid="field-tags"
          />
          <TextInput label="Host" description="DNS name or IP address" required {...text('host')} />
          <Group gap="xs" grow align="flex-start" wrap="nowrap">
            <NumberInput
              label="Port"
              value={values.port}
              onChange={(v) => set('port', v)}
              error={errors.port}
              allowDecimal={false}
              allowNegative={false}
              clampBehavior="none"
              hideControls
              size="xs"
              id="device-field-port"
              data-testid="field-port"
              maw={90}
            />
            <TextInput
              label="User"
              placeholder={mode.kind === 'add' ? 'EdgeFleet’s own user' : undefined}
              {...text('user')}
            />
          </Group>
        </SimpleGrid>

        <Stack gap={6}>
          <Text size="xs" fw={500} id="device-auth-label">
            Authentication
          </Text>
          <SegmentedControl
            size="xs"
            data={authChoices}
            value={values.authMethod}
            onChange={(v) => set('authMethod', v as AuthMethod)}
            aria-labelledby="device-auth-label"
            data-testid="field-authMethod"
            w={320}
          />
          {values.authMethod === 'key' && (
            <TextInput
              label="Private key file"
              description={
                desktop
                  ? 'Under ~/.ssh, or any file chosen with Choose…; a passphrase is asked when connecting, never stored'
                  : 'A file under ~/.ssh on the machine EdgeFleet runs on; a passphrase is asked when connecting, never stored'
              }
              placeholder="~/.ssh/id_ed25519"
              required
              {...text('keyPath')}
              rightSectionWidth={desktop ? 80 : undefined}
              rightSection={
                desktop ? (
                  <Button size="compact-xs" variant="default" onClick={chooseKey} data-testid="choose-key">
                    Choose…
                  </Button>
                ) : undefined
              }
            />
          )}
          {values.authMethod === 'agent' && (
            <Text size="xs" c="dimmed">
              Uses the ssh-agent of the machine EdgeFleet runs on (SSH_AUTH_SOCK).
            </Text>
          )}
          {values.authMethod === 'password' && (
            <Text size="xs" c="dimmed">
              The password is asked when EdgeFleet first connects, and kept in memory for this session only.
            </Text>
          )}
        </Stack>

        <SimpleGrid cols={3} spacing="sm" verticalSpacing="xs">
          <Autocomplete
            label="Jump host"
            description="A device name, or user@host:port"
            data={deviceNames.filter((n) => n !== values.name) as string[]}
            limit={20}
            value={values.jump}
            onChange={(v) => set('jump', v)}
            error={errors.jump}
            size="xs"
            id="device-field-jump"
            data-testid="field-jump"
          />
          <Autocomplete
            label="Hardware profile"
            description="A built-in profile (benchmark estimates), or your own name"
            data={profileChoices}
            limit={20}
            value={values.profile}
            onChange={(v) => set('profile', v)}
            error={errors.profile}
            size="xs"
            id="device-field-profile"
            data-testid="field-profile"
          />
          <TextInput
            label="Deploy root"
            description="Where releases go on the device"
            {...text('deployRoot')}
          />
        </SimpleGrid>
        <SimpleGrid cols={2} spacing="sm" verticalSpacing="xs">
          <Textarea
            label="Restart command"
            description="Run by deploy after switching releases"
            autosize
            minRows={1}
            maxRows={6}
            value={values.restartCmd}
            onChange={(e) => set('restartCmd', e.currentTarget.value)}
            error={errors.restartCmd}
            size="xs"
            styles={monoInput}
            id="device-field-restartCmd"
            data-testid="field-restartCmd"
          />
          <Textarea
            label="Health-check command"
            description="Must exit 0 when the new release works"
            autosize
            minRows={1}
            maxRows={6}
            value={values.healthCmd}
            onChange={(e) => set('healthCmd', e.currentTarget.value)}
            error={errors.healthCmd}
            size="xs"
            styles={monoInput}
            id="device-field-healthCmd"
            data-testid="field-healthCmd"
          />
        </SimpleGrid>
        <Textarea
          label="Notes"
          autosize
          minRows={2}
          maxRows={6}
          value={values.notes}
          onChange={(e) => set('notes', e.currentTarget.value)}
          error={errors.notes}
          size="xs"
          id="device-field-notes"
          data-testid="field-notes"
        />

        {refusal && (
          <Alert color="red" variant="light" p="xs" role="alert" data-testid="device-form-error">
            <Text size="sm">
              {save.error?.code}: {refusal}
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
            <Button size="xs" type="submit" loading={save.isPending} data-testid="device-form-submit">
              {mode.kind === 'add' ? 'Add device' : 'Save changes'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}

const fieldOrder: readonly (keyof FieldErrors)[] = [
  'name',
  'tags',
  'host',
  'port',
  'user',
  'authMethod',
  'keyPath',
  'jump',
  'profile',
  'deployRoot',
  'restartCmd',
  'healthCmd',
  'notes',
];

function focusFirstError(errors: FieldErrors) {
  const first = fieldOrder.find((f) => errors[f] !== undefined);
  if (first === undefined) return;
  const element =
    document.getElementById(`device-field-${first}`) ??
    document.querySelector<HTMLElement>(`[data-testid="field-${first}"]`);
  element?.focus();
}
