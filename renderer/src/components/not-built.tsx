import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { Section } from '../app/sections';

/** Placeholder for steps of the loop that later releases will fill in. */
export function NotBuilt({ section }: { section: Section }) {
  const SectionIcon = section.icon;
  return (
    <Stack gap="md" maw={760}>
      <Group gap="xs">
        <SectionIcon size={20} />
        <Title order={1} size="h3">
          {section.label}
        </Title>
        <Badge variant="light" color="gray" size="sm">
          Not built yet
        </Badge>
      </Group>
      <Paper withBorder p="md" data-testid="not-built">
        <Text size="sm">
          <Text span fw={600} inherit>
            Not built yet — coming in a later release:
          </Text>{' '}
          {section.plan}
        </Text>
      </Paper>
    </Stack>
  );
}
