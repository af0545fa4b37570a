import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import type { BenchRun } from './bench-session';

type Running = Extract<BenchRun, { status: 'running' }>;

const phaseWords: Record<string, string> = {
  starting: 'Starting',
  calibrating: 'Calibrating this machine',
  analysing: 'Analysing',
  measuring: 'Measuring',
  connecting: 'Connecting',
  estimating: 'Estimating',
  done: 'Finishing',
};

/** The job's phase and percent, with Cancel. */
export function RunProgress({ run, onCancel }: { run: Running; onCancel: () => void }) {
  const phase = phaseWords[run.phase] ?? run.phase;
  return (
    <Stack gap={4} data-testid="bench-progress-area">
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" data-testid="bench-phase" aria-live="polite" truncate>
          {phase}
          {run.message ? ` · ${run.message}` : ''}
          {run.percent === null ? '' : ` — ${Math.round(run.percent)}%`}
        </Text>
        <Button size="compact-xs" variant="default" onClick={onCancel} data-testid="bench-cancel">
          Cancel
        </Button>
      </Group>
      <Progress
        size="sm"
        value={run.percent ?? 100}
        animated={run.percent === null}
        striped={run.percent === null}
        aria-label="Benchmark progress"
        data-testid="bench-progress"
        transitionDuration={200}
      />
    </Stack>
  );
}
