import { Button, Group, Paper, Text } from '@mantine/core';

type BulkBarProps = {
  count: number;
  /** "3 devices selected (1 hidden by the filter)" */
  line: string;
  /** An operation runs: no second one (tags may still change). */
  running: boolean;
  onProbe: () => void;
  onStatus: () => void;
  onTrust: () => void;
  onTagAdd: () => void;
  onTagRemove: () => void;
  onClear: () => void;
};

/** What can be done to the selected devices at once. */
export function BulkBar({ count, line, running, ...on }: BulkBarProps) {
  const none = count === 0;
  return (
    <Paper withBorder px="xs" py={6} data-testid="bulk-bar">
      <Group gap="xs" wrap="nowrap">
        <Text size="xs" miw={150} data-testid="bulk-count" data-count={count}>
          {line}
        </Text>
        <Button size="compact-xs" onClick={on.onProbe} disabled={none || running} data-testid="bulk-probe">
          Probe
        </Button>
        <Button
          size="compact-xs"
          variant="default"
          onClick={on.onStatus}
          disabled={none || running}
          data-testid="bulk-status"
        >
          Check status
        </Button>
        <Button
          size="compact-xs"
          variant="default"
          onClick={on.onTrust}
          disabled={none || running}
          data-testid="bulk-trust"
        >
          Trust host keys…
        </Button>
        <Button
          size="compact-xs"
          variant="default"
          onClick={on.onTagAdd}
          disabled={none}
          data-testid="bulk-tag-add"
        >
          Add tag…
        </Button>
        <Button
          size="compact-xs"
          variant="default"
          onClick={on.onTagRemove}
          disabled={none}
          data-testid="bulk-tag-remove"
        >
          Remove tag…
        </Button>
        <Button
          size="compact-xs"
          variant="subtle"
          onClick={on.onClear}
          disabled={none}
          data-testid="bulk-clear"
        >
          Clear selection
        </Button>
      </Group>
    </Paper>
  );
}
