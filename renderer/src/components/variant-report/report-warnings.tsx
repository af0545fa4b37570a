import { Alert, List } from '@mantine/core';
import { AlertIcon } from '../icons';

/** The pass's and the measurement's caveats, together, deduplicated (both may say "random data"). */
export function ReportWarnings({ warnings }: { warnings: readonly string[] }) {
  const unique = [...new Set(warnings)];
  if (unique.length === 0) return null;
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<AlertIcon size={18} />}
      title={unique.length === 1 ? 'Warning' : `${unique.length} warnings`}
      p="xs"
      data-testid="report-warnings"
    >
      <List size="sm" spacing={2}>
        {unique.map((w) => (
          <List.Item key={w} data-testid="report-warning">
            {w}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
