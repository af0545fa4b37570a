import { Badge } from '@mantine/core';
import type { TargetGroup } from './bench-results';

/** Measured figures are solid; estimated ones say so on every row, with their band. */
export function SourceBadge({ group }: { group: Pick<TargetGroup, 'source' | 'badge'> }) {
  return group.source === 'measured' ? (
    <Badge size="sm" color="teal" variant="light" data-testid="bench-source-badge" data-source="measured">
      {group.badge}
    </Badge>
  ) : (
    <Badge
      size="sm"
      color="yellow"
      variant="outline"
      data-testid="bench-source-badge"
      data-source="estimated"
    >
      {group.badge}
    </Badge>
  );
}
