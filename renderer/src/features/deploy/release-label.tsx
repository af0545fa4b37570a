import { Anchor, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { ReleaseRef } from '../../../../shared/schemas/deploy';
import type { Model } from '../../../../shared/schemas/models';

/**
 * A release as two short lines: the variant's library name (when known) over the release directory name,
 * so long names never wrap mid-word in narrow table cells.
 */
export function ReleaseLabel({
  release,
  modelsById,
  testId,
}: {
  release: ReleaseRef | null;
  modelsById: ReadonlyMap<string, Model>;
  testId?: string;
}) {
  if (release === null)
    return (
      <Text size="xs" c="dimmed" data-testid={testId}>
        —
      </Text>
    );
  const name = release.variantId === null ? undefined : modelsById.get(release.variantId)?.name;
  return (
    <Stack gap={0} data-testid={testId}>
      {name !== undefined && release.variantId !== null && (
        // Release → variant: its page has the recipe, data hashes, benchmarks and where it runs.
        <Anchor
          component={Link}
          to={`/models/${encodeURIComponent(release.variantId)}`}
          size="xs"
          fw={500}
          data-testid="release-variant-link"
        >
          {name}
        </Anchor>
      )}
      <Text size="xs" ff="monospace" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
        {release.release}
      </Text>
    </Stack>
  );
}
