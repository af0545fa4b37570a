import { Stack, Text } from '@mantine/core';
import type { TargetGroup } from './bench-results';
import { collectNotes } from './results-format';

/** Estimate warnings of all rows, once each: what they mean in practice. */
export function ResultNotes({ groups }: { groups: readonly TargetGroup[] }) {
  const notes = collectNotes(groups);
  if (notes.length === 0) return null;
  return (
    <Stack gap={2} data-testid="bench-notes">
      {notes.map((n) => (
        <Text key={n.message} size="xs" c="dimmed">
          <Text span size="xs" fw={600}>
            {n.targets.join(', ')}:
          </Text>{' '}
          {n.message}
        </Text>
      ))}
    </Stack>
  );
}
