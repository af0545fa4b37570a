import { Alert, List } from '@mantine/core';
import { guiWords } from '../../lib/gui-words';
import { AlertIcon } from '../icons';

/** The pass's and the measurement's caveats, together, deduplicated (both may say "random data"). */
export function ReportWarnings({ warnings }: { warnings: readonly string[] }) {
  // The pass writes for the CLI too: its hints name the page's choices here.
  const unique = [...new Set(warnings.map(guiWords))];
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
