import { Group, Loader, Text, Tooltip } from '@mantine/core';
import { useActiveJobs } from '../api/client-context';
import type { ActiveJob } from '../api/job-store';

function describe(job: ActiveJob): string {
  const percent = job.percent === null ? '' : ` ${Math.round(job.percent)}%`;
  return `${job.label} — ${job.phase}${percent}`;
}

/** Jobs this window started, so long work stays visible while you move between pages. */
export function JobIndicator() {
  const jobs = useActiveJobs();
  const first = jobs[0];
  return (
    <Group gap={6} wrap="nowrap" aria-live="polite" data-testid="job-indicator" data-count={jobs.length}>
      {first ? (
        <Tooltip label={jobs.map(describe).join('\n')} style={{ whiteSpace: 'pre-line' }}>
          <Group gap={6} wrap="nowrap">
            <Loader size={12} />
            <Text size="xs" truncate maw={260}>
              {describe(first)}
              {jobs.length > 1 ? ` (+${jobs.length - 1} more)` : ''}
            </Text>
          </Group>
        </Tooltip>
      ) : (
        <Text size="xs" c="dimmed">
          No jobs running
        </Text>
      )}
    </Group>
  );
}
