import { Center, Group, Loader, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useCall } from '../../api/queries';
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { BenchmarkIcon } from '../../components/icons';
import { PageTitle } from '../../components/page-title';
import { SectionCard } from '../../components/section-card';
import { modelRows } from '../models/model-tree';
import { blocker, buildRunParams, defaultSelection, selectedModels, type BenchForm } from './bench-form';
import { runSummary, targetCount } from './bench-lines';
import { RunFailure, Results } from './bench-outcome';
import { groupByTarget, latestResults } from './bench-results';
import { useBenchSession } from './bench-session';
import { usePresetModel } from './use-preset-model';
import { ProfilesView } from './profiles-view';
import { RunBar } from './run-bar';
import { RunSettings } from './run-settings';
import { TargetPicker } from './target-picker';
import { VariantPicker } from './variant-picker';

export function BenchPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const tab = searchParams.get('tab') === 'profiles' ? 'profiles' : 'run';
  return (
    <Stack gap="sm" data-testid="bench-page">
      <Group justify="space-between" align="baseline">
        <PageTitle icon={BenchmarkIcon}>Benchmark</PageTitle>
        <Text size="xs" c="dimmed">
          Measured on this machine and on devices, estimated on hardware profiles — every figure says which.
        </Text>
      </Group>
      <Tabs
        value={tab}
        onChange={(v) => setSearchParams(v === 'profiles' ? { tab: 'profiles' } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="run" data-testid="bench-tab-run">
            Run and compare
          </Tabs.Tab>
          <Tabs.Tab value="profiles" data-testid="bench-tab-profiles">
            Hardware profiles
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="run" pt="sm">
          <RunTab />
        </Tabs.Panel>
        <Tabs.Panel value="profiles" pt="sm">
          <ProfilesView />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function RunTab() {
  const models = useCall('models.list', {});
  const profiles = useCall('profiles.list', {});
  const devices = useCall('devices.list', {});
  const stored = useCall('bench.results', { limit: 5000 });
  const queryClient = useQueryClient();
  const { form, run, view, setForm, setView, start, cancel, dismiss } = useBenchSession();

  usePresetModel(models.data, setForm);

  const modelIds = form.modelIds ?? defaultSelection(models.data ?? []);
  const picked = useMemo(() => selectedModels(models.data ?? [], modelIds), [models.data, modelIds]);
  const active = run.status === 'running';
  const why = blocker(form, picked);
  const update = (patch: Partial<BenchForm>) => setForm((f) => ({ ...f, ...patch }));

  const runNow = () => {
    if (active || why !== null) return;
    const params = buildRunParams(form, picked);
    const label = `Benchmarking ${picked.length} variant${picked.length === 1 ? '' : 's'}`;
    void start({ params, label }, queryClient);
  };

  // This run's figures when there is one; otherwise the latest stored figures of the picked variants.
  const fromRun = run.status === 'done';
  const results = useMemo(() => {
    if (run.status === 'done') return run.report.results;
    const ids = new Set(modelIds);
    return latestResults((stored.data ?? []).filter((r) => ids.has(r.modelId)));
  }, [run, stored.data, modelIds]);
  const groups = useMemo(
    () =>
      groupByTarget(results, models.data ?? [], {
        modelOrder: modelRows(models.data ?? []).map((r) => r.model.id),
        profileOrder: (profiles.data ?? []).map((p) => p.id),
      }),
    [results, models.data, profiles.data],
  );

  if (models.isPending) {
    return (
      <Center p="xl">
        <Loader size="sm" aria-label="Loading models" />
      </Center>
    );
  }
  if (models.error) return <ErrorAlert title="Cannot load the model library" error={models.error} />;
  if (models.data.length === 0) {
    return (
      <EmptyState
        icon={<BenchmarkIcon size={22} />}
        title="Nothing to benchmark yet"
        description="Import an ONNX model and make variants of it on the Optimize page, then compare them here."
        action={{ label: 'Import a model', to: '/models' }}
        testId="bench-no-models"
      />
    );
  }

  const targets = targetCount(form);
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
        <SectionCard title="Variants" testId="bench-variants-card">
          <VariantPicker
            models={models.data}
            value={modelIds}
            onChange={(ids) => update({ modelIds: ids })}
            disabled={active}
          />
        </SectionCard>
        <SectionCard title="Targets" testId="bench-targets-card">
          {profiles.error && <ErrorAlert title="Cannot load the profiles" error={profiles.error} />}
          <TargetPicker
            local={form.local}
            profileIds={form.profileIds}
            deviceNames={form.deviceNames}
            profiles={profiles.data}
            devices={devices.data}
            onChange={update}
            disabled={active}
          />
        </SectionCard>
        <SectionCard title="Settings" testId="bench-settings-card">
          <RunSettings form={form} picked={picked} onChange={update} disabled={active} />
        </SectionCard>
      </SimpleGrid>

      <RunBar
        run={run}
        blocker={why}
        summary={runSummary(picked.length, targets, form)}
        onRun={runNow}
        onCancel={cancel}
      />

      {run.status === 'failed' && <RunFailure run={run} onDismiss={dismiss} />}

      {groups.length === 0 ? (
        <EmptyState
          icon={<BenchmarkIcon size={22} />}
          title="No results yet"
          description="No figures for the picked variants yet: pick targets and run a benchmark."
          testId="bench-no-results"
        />
      ) : (
        <Results
          groups={groups}
          view={view}
          onView={setView}
          fromRun={fromRun}
          report={run.status === 'done' ? run.report : null}
          onDismiss={dismiss}
        />
      )}
    </Stack>
  );
}
