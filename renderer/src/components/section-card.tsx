import { Paper, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A titled panel of the detail pages; the title is a heading so screen readers can jump between them. */
export function SectionCard({
  title,
  testId,
  children,
}: {
  title: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <Paper withBorder p="sm" data-testid={testId} component="section" aria-label={title}>
      <Stack gap="xs">
        <Title order={2} size="h5">
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}
