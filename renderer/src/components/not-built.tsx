import { Badge, Paper, Stack, Text } from '@mantine/core';
import type { Section } from '../app/sections';
import { PageTitle } from './page-title';

/** Placeholder for steps of the loop that later releases will fill in. */
export function NotBuilt({ section }: { section: Section }) {
  return (
    <Stack gap="md" maw={760}>
      <PageTitle
        icon={section.icon}
        after={
          <Badge variant="light" color="gray" size="sm">
            Not built yet
          </Badge>
        }
      >
        {section.label}
      </PageTitle>
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
