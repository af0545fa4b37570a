import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { BenchmarkIcon } from '../../components/icons';
import type { BenchRun } from './bench-session';
import { RunProgress } from './run-progress';

type RunBarProps = {
  run: BenchRun;
  /** Why the run cannot start yet; null: it can. */
  blocker: string | null;
  /** What a run would do: "3 variants × 2 targets …". */
  summary: string;
  onRun: () => void;
  onCancel: () => void;
};

/** The Run button, what it would run (or why it cannot), and the progress of a run. */
export function RunBar({ run, blocker, summary, onRun, onCancel }: RunBarProps) {
  const active = run.status === 'running';
  return (
    <Paper withBorder p="sm" data-testid="bench-run-bar">
      <Stack gap="xs">
        <Group gap="sm" wrap="nowrap">
          <Button
            size="xs"
            leftSection={<BenchmarkIcon size={14} />}
            onClick={onRun}
            disabled={active || blocker !== null}
            loading={active}
            data-testid="bench-run"
          >
            Run benchmark
          </Button>
          <Text size="xs" c="dimmed" data-testid="bench-blocker">
            {blocker ?? (active ? '' : summary)}
          </Text>
        </Group>
        {run.status === 'running' && <RunProgress run={run} onCancel={onCancel} />}
      </Stack>
    </Paper>
  );
}
