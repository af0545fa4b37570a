import { Button, Group, Modal, Stack, TagsInput, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { AppError } from '../../../../shared/errors';
import type { Device } from '../../../../shared/schemas/fleet';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { countDevices } from './fleet-format';

export type TagAsk = { mode: 'add' | 'remove'; ids: string[]; suggestions: string[] };

type TagDialogProps = {
  ask: TagAsk | null;
  onClose: () => void;
  onDone: (message: string) => void;
};

/** Adds or removes tags on the selected devices in one call (one transaction in main). */
export function TagDialog({ ask, onClose, onDone }: TagDialogProps) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={ask !== null}
      onClose={onClose}
      title={
        ask
          ? `${ask.mode === 'add' ? 'Add tags to' : 'Remove tags from'} ${countDevices(ask.ids.length)}`
          : ''
      }
      size="md"
      data-testid="tag-dialog"
    >
      {ask && <TagForm ask={ask} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function TagForm({ ask, onClose, onDone }: TagDialogProps & { ask: TagAsk }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [tags, setTags] = useState<string[]>([]);
  const save = useMutation<Device[], AppError>({
    mutationFn: () =>
      client.call(
        'devices.tag',
        ask.mode === 'add' ? { refs: ask.ids, add: tags } : { refs: ask.ids, remove: tags },
      ),
    onSuccess: async (devices) => {
      await queryClient.invalidateQueries({ queryKey: callKey('devices.list') });
      onDone(
        `${ask.mode === 'add' ? 'Added' : 'Removed'} ${tags.map((t) => `“${t}”`).join(', ')} ${ask.mode === 'add' ? 'to' : 'from'} ${countDevices(devices.length)}.`,
      );
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (tags.length > 0) save.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <TagsInput
          label={ask.mode === 'add' ? 'Tags to add' : 'Tags to remove'}
          description="Enter or comma after each tag"
          data={ask.suggestions}
          value={tags}
          onChange={setTags}
          acceptValueOnBlur
          size="xs"
          data-autofocus
          data-testid="tag-input"
        />
        {ask.mode === 'remove' && ask.suggestions.length === 0 && (
          <Text size="xs" c="dimmed">
            The selected devices have no tags.
          </Text>
        )}
        {save.error && <ErrorAlert title="Tags not changed" error={save.error} />}
        <Group justify="flex-end" gap="xs">
          <Button size="xs" variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            size="xs"
            type="submit"
            loading={save.isPending}
            disabled={tags.length === 0}
            data-testid="tag-submit"
          >
            {ask.mode === 'add' ? 'Add' : 'Remove'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
