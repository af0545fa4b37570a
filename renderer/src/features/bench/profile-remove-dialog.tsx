import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { AppError } from '../../../../shared/errors';
import type { HardwareProfile } from '../../../../shared/schemas/bench';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';

/** Asks before a user profile is removed; says why when it cannot be. */
export function ProfileRemoveDialog({
  profile,
  onClose,
}: {
  profile: HardwareProfile | null;
  onClose: () => void;
}) {
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
