import { useMutation } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { AppError, toAppError } from '../../../../shared/errors';
import type { Device } from '../../../../shared/schemas/fleet';
import { useClient } from '../../api/client-context';
import { useCall } from '../../api/queries';
import { guiWords } from '../../lib/gui-words';
import {
  emptyValues,
  firstErrorField,
  profileGroups,
  serverErrors,
  toInput,
  toPatch,
  valuesOf,
  type DeviceFormValues,
  type FieldErrors,
} from './device-form';

export type FormMode = { kind: 'add' } | { kind: 'edit'; device: Device };

/**
 * The add/edit form's state: values as typed, errors (checked on submit first, then as the user corrects
 * each field; main's complaints at their fields too), and the save.
 */
export function useDeviceForm(
  mode: FormMode,
  profiles: readonly string[],
  onSaved: (device: Device, kind: FormMode['kind']) => void,
) {
  const client = useClient();
  const [values, setValues] = useState<DeviceFormValues>(() =>
    mode.kind === 'edit' ? valuesOf(mode.device) : emptyValues(),
  );
  const [checked, setChecked] = useState(false);
  const [serverFields, setServerFields] = useState<FieldErrors>({});

  const check = (v: DeviceFormValues) => (mode.kind === 'edit' ? toPatch(v, mode.device) : toInput(v));
  const local = checked ? check(values) : null;
  const errors: FieldErrors = { ...(local && !local.ok ? local.errors : {}), ...serverFields };

  const builtIn = useCall('profiles.list', {});
  const profileChoices = useMemo(
    () =>
      profileGroups(
        (builtIn.data ?? []).map((p) => p.id),
        profiles,
      ),
    [builtIn.data, profiles],
  );

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
  const set = <K extends keyof DeviceFormValues>(key: K, value: DeviceFormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    // A server complaint about a field is stale once the user changed that field.
    setServerFields(({ [key]: _dropped, ...others }) => others);
  };
  const chooseKey = () => {
    client.call('files.pickKey', {}).then(
      (picked) => {
        if (picked !== null) set('keyPath', picked.keyPath);
      },
      () => undefined,
    );
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

  return {
    mode,
    values,
    errors,
    set,
    text,
    profileChoices,
    desktop,
    chooseKey,
    submit,
    onKeyDown,
    saving: save.isPending,
    errorCode: save.error?.code,
    refusal,
  };
}

export type DeviceFormState = ReturnType<typeof useDeviceForm>;

function focusFirstError(errors: FieldErrors) {
  const first = firstErrorField(errors);
  if (first === null) return;
  const element =
    document.getElementById(`device-field-${first}`) ??
    document.querySelector<HTMLElement>(`[data-testid="field-${first}"]`);
  element?.focus();
}
