import { Group, Title } from '@mantine/core';
import type { ComponentType, ReactNode } from 'react';

/**
 * The one h1 of a page, after the icon its section has in the navbar: the same picture in both places tells
 * people where they are. Extra content (a count, a badge) follows the title on the same line.
 */
export function PageTitle({
  icon: SectionIcon,
  children,
  after,
  testId,
}: {
  icon: ComponentType<{ size?: number }>;
  children: ReactNode;
  after?: ReactNode;
  /** On the heading itself, for pages whose title is data (a model's name). */
  testId?: string;
}) {
  return (
    <Group gap="xs" align="center" wrap="nowrap" miw={0} data-testid="page-title">
      <SectionIcon size={20} />
      <Title order={1} size="h3" data-testid={testId} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Title>
      {after}
    </Group>
  );
}
