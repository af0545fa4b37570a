import { Center, Group, Loader, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, type KeyboardEvent } from 'react';
import { useCall } from '../../api/queries';
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { OptimizeIcon } from '../../components/icons';
import { PageTitle } from '../../components/page-title';
import { SectionCard } from '../../components/section-card';
import { modelRows } from '../models/model-tree';
import { DataCard } from './data-card';
import { failureFixes } from './failure-fixes';
import { MethodOptions } from './method-options';
import { ModelMethodCard } from './model-method-card';
import { blocker, methodLabels, withExclusions, withOverrides, type OptimizeForm } from './optimize-form';
import { useOptimizeSession } from './optimize-session';
import { useOptimizeLink } from './use-optimize-link';
import { RunBar } from './run-bar';
import { RunFailure } from './run-failure';
import { RunResult } from './run-result';

export function OptimizePage() {
  const models = useCall('models.list', {});
  const profiles = useCall('profiles.list', {});
  const queryClient = useQueryClient();
  const { form, run, setForm, start, cancel, dismiss } = useOptimizeSession();
  useOptimizeLink(setForm);

  const rows = useMemo(() => modelRows(models.data ?? []), [models.data]);
  const names = useMemo(() => new Map((models.data ?? []).map((m) => [m.id, m.name])), [models.data]);
  // Until the user picks, the newest imported model is the natural candidate.
  const modelId = form.modelId ?? rows[0]?.model.id ?? null;
  const model = models.data?.find((m) => m.id === modelId);
  const active = run.status === 'uploading' || run.status === 'running';
  const effective: OptimizeForm = { ...form, modelId };
  const why = blocker(effective, model);

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

  // One click from a result: the run's own settings changed, on the same parent.
  const rerunDone = (change: (form: OptimizeForm) => OptimizeForm) => {
    if (run.status !== 'done') return;
    const next = change(run.request.form);
    setForm(() => next);
    void start({ ...next, modelId: run.request.form.modelId }, run.request.modelName, queryClient);
  };

  const fixes =
    run.status === 'failed'
      ? failureFixes(run, (next) => {
          setForm(() => next);
          runNow(next);
        })
      : [];

  return (
    <Stack gap="sm" onKeyDown={onKeyDown} data-testid="optimize-page">
      <Group justify="space-between" align="baseline">
        <PageTitle icon={OptimizeIcon}>Optimize</PageTitle>
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
        <EmptyState
          icon={<OptimizeIcon size={22} />}
          title="No models to optimize yet"
          description="Import an ONNX model first, then come back to make smaller, faster variants of it."
          action={{ label: 'Import a model', to: '/models' }}
          testId="optimize-no-models"
        />
      )}

      {models.data && models.data.length > 0 && (
        <>
          <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
            <ModelMethodCard
              models={models.data}
              modelId={modelId}
              method={form.method}
              onModel={(id) => update({ modelId: id })}
              onMethod={(method) => update({ method })}
              disabled={active}
            />

            <SectionCard title={`${methodLabels[form.method]} options`} testId="optimize-options-card">
              <MethodOptions
                form={form}
                model={model}
                onConfigs={(configs) => update({ configs })}
                profiles={profiles.data}
                models={models.data}
                disabled={active}
              />
            </SectionCard>

            <DataCard form={form} model={model} update={update} disabled={active} />
          </SimpleGrid>

          <RunBar
            form={form}
            model={model}
            run={run}
            why={why}
            onName={(name) => update({ name })}
            onRun={() => runNow()}
            onCancel={cancel}
          />
        </>
      )}

      {run.status === 'idle' && models.data && models.data.length > 0 && (
        <EmptyState
          icon={<OptimizeIcon size={22} />}
          title="No run yet"
          description="Pick a model, a method and its data, then run: the new variant and its report against the parent appear here."
          testId="optimize-no-run"
        />
      )}
      {run.status === 'failed' && <RunFailure run={run} onDismiss={dismiss} fixes={fixes} />}
      {run.status === 'done' && (
        <RunResult
          run={run}
          // Exclusions add to a single pass's list; overrides flip nodes of the same auto search.
          onExclude={(add) => rerunDone((f) => withExclusions({ ...f, name: '' }, add))}
          onRerunWithOverrides={(overrides) => rerunDone((f) => withOverrides(f, overrides))}
          modelNames={names}
          onDismiss={dismiss}
          busy={active}
        />
      )}
    </Stack>
  );
}
