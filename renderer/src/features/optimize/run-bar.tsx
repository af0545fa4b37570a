import { Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import type { Model } from '../../../../shared/schemas/models';
import { OptimizeIcon } from '../../components/icons';
import { checkName, runLabels, type OptimizeForm } from './optimize-form';
import type { RunState } from './optimize-session';
import { RunProgress } from './run-progress';

type RunBarProps = {
  form: OptimizeForm;
  model: Model | undefined;
  run: RunState;
  /** Why the form cannot run yet, or null. */
  why: string | null;
  onName: (name: string) => void;
  onRun: () => void;
  onCancel: () => void;
};

/** The variant's name, the run button with what still blocks it, and the running job's progress. */
export function RunBar({ form, model, run, why, onName, onRun, onCancel }: RunBarProps) {
  const active = run.status === 'uploading' || run.status === 'running';
  const nameCheck = checkName(form.name);
  // An auto search names its variant after the method it picks, known only at the end.
  const defaultName = model
    ? `${model.name}-${form.method === 'auto' ? '<chosen method>' : form.method}`
    : 'Default: <model>-<method>';
  return (
    <Paper withBorder p="sm" data-testid="optimize-run-bar">
      <Stack gap="xs">
        <Group gap="sm" align="flex-end" wrap="nowrap">
          <TextInput
            size="xs"
            label="Variant name (optional)"
            placeholder={defaultName}
            w={280}
            value={form.name}
            onChange={(e) => onName(e.currentTarget.value)}
            error={nameCheck.error}
            disabled={active}
            data-testid="optimize-name"
          />
          <Button
            size="xs"
            leftSection={<OptimizeIcon size={14} />}
            onClick={onRun}
            disabled={active || why !== null}
            loading={active}
            data-testid="optimize-run"
          >
            {runLabels[form.method]}
          </Button>
          <Text size="xs" c="dimmed" data-testid="optimize-blocker">
            {why ?? (active ? '' : 'Ctrl+Enter runs from anywhere on this page.')}
          </Text>
        </Group>
        {(run.status === 'uploading' || run.status === 'running') && (
          <RunProgress run={run} onCancel={onCancel} />
        )}
      </Stack>
    </Paper>
  );
}
