import {
  Button,
  Center,
  Group,
  Loader,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, type KeyboardEvent } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import type { OptimizeMethod } from '../../../../shared/schemas/optimize';
import type { FormMethod } from './optimize-form';
import { useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { OptimizeIcon } from '../../components/icons';
import { SectionCard } from '../../components/section-card';
import { modelRows } from '../models/model-tree';
import { DataSourceField } from './data-source-field';
import { MethodOptions } from './method-options';
import { ModelPicker } from './model-picker';
import {
  blocker,
  checkName,
  methodHelp,
  methodLabels,
  usesCalibration,
  withExclusions,
  type OptimizeForm,
} from './optimize-form';
import { readPreset } from './optimize-link';
import { useOptimizeSession } from './optimize-session';
import { RunFailure, RunResult, type FixAction } from './run-outcome';
import { RunProgress } from './run-progress';

const methods: OptimizeMethod[] = ['int8-static', 'int8-dynamic', 'fp16'];

export function OptimizePage() {
  const models = useCall('models.list', {});
  const queryClient = useQueryClient();
  const { form, run, setForm, start, cancel, dismiss } = useOptimizeSession();
  const [searchParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();

  // "Optimize…" on a model's page links here with ?model=<id> (and a variant's page adds its recipe):
  // apply it once, then drop it from the URL so it does not override later choices.
  const presetModel = searchParams.get('model');
  useEffect(() => {
    if (presetModel === null) return;
    const preset = readPreset(location.state);
    setForm((f) => ({
      ...f,
      modelId: presetModel,
      // A distillation recipe is re-run from the CLI: the form has no training fields yet.
      ...(preset && preset.method !== 'distill' && preset.method !== 'qat'
        ? { method: preset.method, configs: { ...f.configs, [preset.method]: preset.config } }
        : {}),
    }));
    void navigate({ pathname: location.pathname, search: '' }, { replace: true, state: null });
  }, [presetModel, location.state, location.pathname, setForm, navigate]);

  const rows = useMemo(() => modelRows(models.data ?? []), [models.data]);
  // Until the user picks, the newest imported model is the natural candidate.
  const modelId = form.modelId ?? rows[0]?.model.id ?? null;
  const model = models.data?.find((m) => m.id === modelId);
  const active = run.status === 'uploading' || run.status === 'running';
  const effective: OptimizeForm = { ...form, modelId };
  const why = blocker(effective, model);
  const nameCheck = checkName(form.name);

  const update = (patch: Partial<OptimizeForm>) => setForm((f) => ({ ...f, ...patch }));
  const runNow = (next: OptimizeForm = effective) => {
    if (active || !next.modelId) return;
    const name = models.data?.find((m) => m.id === next.modelId)?.name ?? next.modelId;
    void start({ ...next, modelId: next.modelId }, name, queryClient);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && why === null) {
      event.preventDefault();
      runNow();
    }
  };

  // One click: the run's own settings plus the picked layers' producers excluded, on the same parent.
  const excludeAndRerun = (add: string[]) => {
    if (run.status !== 'done') return;
    const next = withExclusions({ ...run.request.form, name: '' }, add);
    setForm(() => next);
    void start({ ...next, modelId: run.request.form.modelId }, run.request.modelName, queryClient);
  };

  const fixes: FixAction[] = [];
  if (run.status === 'failed') {
    const failedForm = run.request.form;
    if (run.error.code === 'OPSET_TOO_OLD' && failedForm.method === 'int8-static') {
      fixes.push({
        label: 'Turn per-channel off and re-run',
        run: () => {
          const next: OptimizeForm = {
            ...failedForm,
            configs: {
              ...failedForm.configs,
              'int8-static': { ...failedForm.configs['int8-static'], perChannel: false },
            },
          };
          setForm(() => next);
          runNow(next);
        },
      });
    }
    if (run.error.code === 'NAME_TAKEN') {
      fixes.push({
        label: 'Use the default name and re-run',
        run: () => {
          const next = { ...failedForm, name: '' };
          setForm(() => next);
          runNow(next);
        },
      });
    }
  }

  return (
    <Stack gap="sm" onKeyDown={onKeyDown} data-testid="optimize-page">
      <Group justify="space-between" align="baseline">
        <Group gap="xs" align="center">
          <OptimizeIcon size={20} />
          <Title order={1} size="h3">
            Optimize
          </Title>
        </Group>
        <Text size="xs" c="dimmed">
          Makes a new variant; the parent is never changed.
        </Text>
      </Group>

      {models.isPending && (
        <Center p="xl">
          <Loader size="sm" aria-label="Loading models" />
        </Center>
      )}
      {models.error && <ErrorAlert title="Cannot load the model library" error={models.error} />}
      {models.data && models.data.length === 0 && (
        <Paper withBorder p="md" data-testid="optimize-no-models">
          <Text size="sm">
            No models yet. <Link to="/models">Import an ONNX model</Link> first, then come back to make
            smaller, faster variants of it.
          </Text>
        </Paper>
      )}

      {models.data && models.data.length > 0 && (
        <>
          <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
            <SectionCard title="Model and method" testId="optimize-model-card">
              <ModelPicker
                models={models.data}
                value={modelId}
                onChange={(id) => update({ modelId: id })}
                disabled={active}
              />
              <SegmentedControl
                size="xs"
                fullWidth
                value={form.method}
                onChange={(v) => update({ method: v as FormMethod })}
                data={methods.map((m) => ({ value: m, label: methodLabels[m] }))}
                disabled={active}
                aria-label="Method"
                data-testid="optimize-method"
              />
              <Text size="xs" c="dimmed" data-testid="optimize-method-help">
                {methodHelp[form.method]}
              </Text>
            </SectionCard>

            <SectionCard title={`${methodLabels[form.method]} options`} testId="optimize-options-card">
              <MethodOptions
                form={form}
                model={model}
                onConfigs={(configs) => update({ configs })}
                disabled={active}
              />
            </SectionCard>

            <SectionCard title="Data" testId="optimize-data-card">
              {usesCalibration(form.method) && (
                <DataSourceField
                  label="Calibration data"
                  kinds={[
                    { kind: 'data', label: 'Folder / file' },
                    { kind: 'random', label: 'Random' },
                  ]}
                  value={form.calibration}
                  onChange={(calibration) => update({ calibration })}
                  model={model}
                  testId="calibration"
                  disabled={active}
                />
              )}
              <DataSourceField
                label="Evaluation data (optional)"
                kinds={[
                  { kind: 'none', label: usesCalibration(form.method) ? 'Held-out' : 'Default' },
                  { kind: 'data', label: 'Folder / file' },
                  { kind: 'random', label: 'Random' },
                ]}
                value={form.evaluation}
                onChange={(evaluation) => update({ evaluation })}
                model={model}
                testId="evaluation"
                disabled={active}
                noneHelp={
                  usesCalibration(form.method)
                    ? 'Fidelity is measured on calibration samples held out from calibrating (when there are at least two).'
                    : 'Fidelity is measured on a few random inputs: indicative only. Give evaluation data for figures you can trust.'
                }
              />
            </SectionCard>
          </SimpleGrid>

          <Paper withBorder p="sm" data-testid="optimize-run-bar">
            <Stack gap="xs">
              <Group gap="sm" align="flex-end" wrap="nowrap">
                <TextInput
                  size="xs"
                  label="Variant name (optional)"
                  placeholder={model ? `${model.name}-${form.method}` : 'Default: <model>-<method>'}
                  w={280}
                  value={form.name}
                  onChange={(e) => update({ name: e.currentTarget.value })}
                  error={nameCheck.error}
                  disabled={active}
                  data-testid="optimize-name"
                />
                <Button
                  size="xs"
                  leftSection={<OptimizeIcon size={14} />}
                  onClick={() => runNow()}
                  disabled={active || why !== null}
                  loading={active}
                  data-testid="optimize-run"
                >
                  Run {methodLabels[form.method]}
                </Button>
                <Text size="xs" c="dimmed" data-testid="optimize-blocker">
                  {why ?? (active ? '' : 'Ctrl+Enter runs from anywhere on this page.')}
                </Text>
              </Group>
              {active && <RunProgress run={run} onCancel={cancel} />}
            </Stack>
          </Paper>
        </>
      )}

      {run.status === 'failed' && <RunFailure run={run} onDismiss={dismiss} fixes={fixes} />}
      {run.status === 'done' && (
        <RunResult run={run} onExclude={excludeAndRerun} onDismiss={dismiss} busy={active} />
      )}
    </Stack>
  );
}
