import { Button, Checkbox, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { AppError } from '../../../../shared/errors';
import { useClient } from '../../api/client-context';
import { useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import type { SecretNeed } from './fleet-ops';

type SecretDialogProps = {
  needs: SecretNeed[] | null;
  onClose: () => void;
  /** Every secret was handed to main: retry the operation on these devices. */
  onProvided: (deviceIds: string[]) => void;
};

/**
 * Passwords and key passphrases main asked for (SECRET_REQUIRED). They go to main for this session; only in
 * the desktop app, and only when the user ticks "Remember", main also keeps them encrypted by the OS key store
 * (never in plain text). This dialog forgets them when it closes.
 */
export function SecretDialog({ needs, onClose, onProvided }: SecretDialogProps) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={needs !== null}
      onClose={onClose}
      title="Password or passphrase needed"
      size="md"
      data-testid="secret-dialog"
    >
      {needs && <SecretForm needs={needs} onClose={onClose} onProvided={onProvided} />}
    </Modal>
  );
}

function SecretForm({ needs, onClose, onProvided }: SecretDialogProps & { needs: SecretNeed[] }) {
  const client = useClient();
  const [values, setValues] = useState<string[]>(() => needs.map(() => ''));
  const [remember, setRemember] = useState(false);
  const canRemember = useCall('app.info', {}).data?.canRememberSecrets === true;
  const provide = useMutation<void, AppError>({
    mutationFn: async () => {
      for (const [i, need] of needs.entries()) {
        const secret = values[i] ?? '';
        if (secret !== '') {
          await client.call('devices.provideSecret', {
            ref: need.deviceId,
            kind: need.kind,
            secret,
            ...(canRemember && remember ? { remember: true } : {}),
          });
        }
      }
    },
    onSuccess: () => {
      const ids = needs.filter((_, i) => (values[i] ?? '') !== '').flatMap((n) => n.deviceIds);
      setValues(needs.map(() => ''));
      onProvided(ids);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    provide.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <Text size="sm">
          {canRemember
            ? 'Kept in memory for this session; ticked, also kept encrypted by your system’s key store.'
            : 'Kept in memory for this session only; never written to disk.'}
        </Text>
        {needs.map((need, i) => (
          <PasswordInput
            key={`${need.kind}-${need.deviceId}`}
            label={need.label}
            description={need.deviceIds.length > 1 ? `Used by ${need.deviceIds.length} devices` : undefined}
            value={values[i] ?? ''}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setValues((v) => v.map((old, j) => (j === i ? value : old)));
            }}
            size="xs"
            autoComplete="off"
            data-autofocus={i === 0 ? true : undefined}
            data-testid="secret-input"
          />
        ))}
        {canRemember && (
          <Checkbox
            size="xs"
            label="Remember on this computer"
            checked={remember}
            onChange={(e) => setRemember(e.currentTarget.checked)}
            data-testid="secret-remember"
          />
        )}
        {provide.error && <ErrorAlert title="Not accepted" error={provide.error} />}
        <Group justify="flex-end" gap="xs">
          <Button size="xs" variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            size="xs"
            type="submit"
            loading={provide.isPending}
            disabled={values.every((v) => v === '')}
            data-testid="secret-submit"
          >
            Use and retry
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
