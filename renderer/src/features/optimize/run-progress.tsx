import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import { formatBytes } from '../../lib/format';
import type { RunState } from './optimize-session';
import { TrainingLive } from './training-live';

type Active = Extract<RunState, { status: 'uploading' | 'running' }>;

/** Upload (files sent / total) and then the job's phase and percent, with Cancel. */
export function RunProgress({ run, onCancel }: { run: Active; onCancel: () => void }) {
  const uploading = run.status === 'uploading';
  const percent = uploading
    ? run.filesTotal === 0
      ? 0
      : (run.filesSent / run.filesTotal) * 100
    : run.percent;
  const text = uploading
    ? `Uploading ${run.what} data — ${run.filesSent} / ${run.filesTotal} files (${formatBytes(run.bytesSent)} of ${formatBytes(run.bytesTotal)})`
    : `${run.phase}${run.percent === null ? '' : ` — ${Math.round(run.percent)}%`}${run.message ? ` · ${run.message}` : ''}`;
  return (
    <Stack gap={4} data-testid="optimize-progress-area" data-status={run.status}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" data-testid="optimize-phase" aria-live="polite" truncate>
          {uploading ? '' : `Optimizing ${run.request.modelName}: `}
          {text}
        </Text>
        <Button size="compact-xs" variant="default" onClick={onCancel} data-testid="optimize-cancel">
          Cancel
        </Button>
      </Group>
      <Progress
        size="sm"
        value={percent ?? 100}
        animated={percent === null}
        striped={percent === null}
        aria-label={uploading ? 'Upload progress' : 'Optimization progress'}
        data-testid="optimize-progress"
        transitionDuration={200}
      />
      {run.status === 'running' && run.training && <TrainingLive training={run.training} />}
    </Stack>
  );
}
