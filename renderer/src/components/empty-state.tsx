import { Button, EmptyState as MantineEmptyState, Paper } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

/** What an empty state offers: another page (a link styled as a button) or an action here. */
type EmptyStateAction =
  { label: string; to: string; testId?: string } | { label: string; onClick: () => void; testId?: string };

/**
 * Every page and panel with nothing to show says so the same way: its section's icon, a short title, one
 * sentence of what fills it, and at most one button that does that. `framed: false` inside a card that already
 * has a border.
 */
export function EmptyState({
  icon,
  title,
  description,
  action,
  testId,
  framed = true,
}: {
  icon: ReactNode;
  title: string;
  description: ReactNode;
  action?: EmptyStateAction;
  /** The panel's own test id (kept on the frame); the shared part is always `empty-state`. */
  testId: string;
  framed?: boolean;
}) {
  return (
    <Paper withBorder={framed} p={framed ? 'lg' : 'xs'} data-testid={testId}>
      <MantineEmptyState
        size="sm"
        icon={icon}
        withIndicatorBackground
        title={title}
        description={description}
        data-testid="empty-state"
      >
        {action && (
          <MantineEmptyState.Actions>
            <ActionButton action={action} />
          </MantineEmptyState.Actions>
        )}
      </MantineEmptyState>
    </Paper>
  );
}

function ActionButton({ action }: { action: EmptyStateAction }) {
  const testId = action.testId ?? 'empty-state-action';
  if ('to' in action) {
    return (
      <Button component={Link} to={action.to} size="xs" variant="light" data-testid={testId}>
        {action.label}
      </Button>
    );
  }
  return (
    <Button size="xs" variant="light" onClick={action.onClick} data-testid={testId}>
      {action.label}
    </Button>
  );
}
