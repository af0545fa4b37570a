import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import type { AppError } from '../../../../../shared/errors';
import type { Model, RemoveResult } from '../../../../../shared/schemas/models';
import { useClient } from '../../../api/client-context';
import { callKey } from '../../../api/queries';
import { ErrorAlert } from '../../../components/error-alert';
import { TrashIcon } from '../../../components/icons';
import type { ModelsLocationState } from '../models-page';

/** Delete with a confirmation dialog; refusals from main (MODEL_IN_USE …) are shown in the dialog. */
export function DeleteModelButton({ model }: { model: Model }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useMutation<RemoveResult, AppError>({
    mutationFn: () => client.call('models.remove', { ref: model.id }),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: callKey('models.get') });
      await queryClient.invalidateQueries({ queryKey: callKey('models.list') });
      const state: ModelsLocationState = { removedName: model.name };
      void navigate('/models', { state });
    },
  });

  const dismiss = () => {
    close();
    remove.reset();
  };

  return (
    <>
      <Button
        size="xs"
        color="red"
        variant="outline"
        leftSection={<TrashIcon size={14} />}
        onClick={open}
        data-testid="delete-model"
      >
        Delete…
      </Button>
      <Modal
        opened={opened}
        onClose={dismiss}
        title={`Delete “${model.name}”?`}
        size="md"
        data-testid="delete-dialog"
      >
        <Stack gap="sm">
          <Text size="sm">
            This removes the model from the library, and its file when no other model uses the same bytes.
            Devices it was deployed to are not touched.
          </Text>
          {remove.error && <ErrorAlert title="Cannot delete this model" error={remove.error} />}
          <Group justify="flex-end" gap="xs">
            <Button size="xs" variant="default" onClick={dismiss} data-autofocus>
              Cancel
            </Button>
            <Button
              size="xs"
              color="red"
              onClick={() => remove.mutate()}
              loading={remove.isPending}
              data-testid="confirm-delete"
            >
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
