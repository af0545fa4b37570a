import { Alert, Button, Center, Group, Loader, Paper, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import type { BenchReport } from '../../../../shared/schemas/bench';
import { useCall } from '../../api/queries';
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { BenchmarkIcon } from '../../components/icons';
import { PageTitle } from '../../components/page-title';
import { SectionCard } from '../../components/section-card';
import { formatMs } from '../../components/variant-report/report-grades';
import { formatDateTime } from '../../lib/format';
import { modelRows } from '../models/model-tree';
import {
  blocker,
  buildRunParams,
  defaultSelection,
  hasTarget,
  linkSelection,
  selectedModels,
  type BenchForm,
} from './bench-form';
import { groupByTarget, latestResults, recommend, type TargetGroup } from './bench-results';
import { useBenchSession, type BenchRun, type BenchView } from './bench-session';
import { ParetoChart } from './pareto-chart';
import { ProfilesView } from './profiles-view';
import { RecommendationPanel } from './recommendation-panel';
import { ResultNotes, ResultsTable } from './results-table';
import { RunProgress } from './run-progress';
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
  const [searchParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();

  // A link with ?model=<id> picks that model (with its parent and its variants) once, then leaves the URL clean.
  const presetModel = searchParams.get('model');
  useEffect(() => {
    if (presetModel === null || !models.data) return;
    const family = linkSelection(models.data, presetModel);
    if (family.length > 0) setForm((f) => ({ ...f, modelIds: family }));
    void navigate({ pathname: location.pathname, search: '' }, { replace: true });
  }, [presetModel, models.data, setForm, navigate, location.pathname]);

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

  const targets = (form.local ? 1 : 0) + form.profileIds.length + form.deviceNames.length;
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

      <Paper withBorder p="sm" data-testid="bench-run-bar">
        <Stack gap="xs">
          <Group gap="sm" wrap="nowrap">
            <Button
              size="xs"
              leftSection={<BenchmarkIcon size={14} />}
              onClick={runNow}
              disabled={active || why !== null}
              loading={active}
              data-testid="bench-run"
            >
              Run benchmark
            </Button>
            <Text size="xs" c="dimmed" data-testid="bench-blocker">
              {why ??
                (active
                  ? ''
                  : `${picked.length} variant${picked.length === 1 ? '' : 's'} × ${targets} target${targets === 1 ? '' : 's'}${hasTarget(form) && form.local ? ' · calibrates this machine first (seconds, reused for 12 h)' : ''}`)}
            </Text>
          </Group>
          {run.status === 'running' && <RunProgress run={run} onCancel={cancel} />}
        </Stack>
      </Paper>

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

function RunFailure({
  run,
  onDismiss,
}: {
  run: Extract<BenchRun, { status: 'failed' }>;
  onDismiss: () => void;
}) {
  if (run.error.code === 'CANCELLED') {
    return (
      <Alert
        color="gray"
        variant="light"
        p="xs"
        withCloseButton
        closeButtonLabel="Dismiss"
        onClose={onDismiss}
        data-testid="bench-cancelled"
      >
        <Text size="sm">
          Benchmark cancelled. Figures finished before the cancel are kept with the stored results.
        </Text>
      </Alert>
    );
  }
  return (
    <ErrorAlert title="The benchmark failed" error={run.error} onClose={onDismiss} testId="bench-error" />
  );
}

type ResultsProps = {
  groups: TargetGroup[];
  view: BenchView;
  onView: (patch: Partial<BenchView>) => void;
  fromRun: boolean;
  report: BenchReport | null;
  onDismiss: () => void;
};

function Results({ groups, view, onView, fromRun, report, onDismiss }: ResultsProps) {
  const group = groups.find((g) => g.key === view.targetKey) ?? groups[0];
  const threshold = { metric: view.metric, min: view.thresholds[view.metric] };
  const recommendation = group ? recommend(group, threshold) : null;
  if (!group || !recommendation) return null;
  const newest = groups
    .flatMap((g) => g.rows.map((r) => r.result.createdAt))
    .sort()
    .at(-1);
  return (
    <Stack gap="sm" data-testid="bench-results" data-from={fromRun ? 'run' : 'stored'}>
      <SectionCard title="Recommendation" testId="bench-recommendation-card">
        <RecommendationPanel
          groups={groups}
          group={group}
          view={view}
          recommendation={recommendation}
          onView={onView}
        />
      </SectionCard>

      <SectionCard title="Results" testId="bench-results-card">
        <Group justify="space-between" gap="xs">
          <Text size="xs" c="dimmed" data-testid="bench-results-origin">
            {fromRun
              ? 'This run.'
              : `Latest stored figures of the picked variants${newest ? ` (newest ${formatDateTime(newest)})` : ''}.`}{' '}
            Estimated figures (≈) come from the roofline model, ±35 %; measured ones from ONNX Runtime.
          </Text>
          {fromRun && (
            <Button size="compact-xs" variant="subtle" onClick={onDismiss} data-testid="bench-show-stored">
              Show stored results
            </Button>
          )}
        </Group>
        <ResultsTable groups={groups} />
        <ResultNotes groups={groups} />
        {report && report.estimatorError.rows.length > 0 && (
          <Text size="xs" c="dimmed" data-testid="bench-estimator-error">
            Estimator check on this machine (predicted vs measured p50):{' '}
            {report.estimatorError.rows
              .map(
                (r) =>
                  `${r.modelName} ${formatMs(r.predictedMs)} vs ${formatMs(r.measuredMs)} (${r.errorPct >= 0 ? '+' : ''}${r.errorPct} %)`,
              )
              .join(' · ')}
            {report.estimatorError.medianAbsErrorPct === null
              ? ''
              : ` — median error ${report.estimatorError.medianAbsErrorPct} %`}
          </Text>
        )}
      </SectionCard>

      <SectionCard title="Latency vs fidelity" testId="bench-charts-card">
        <Text size="xs">
          One chart per target. Up and left is better; each point is numbered as in the key beside it; the
          dashed teal line joins the Pareto front (variants nothing else beats on both); the ringed point is
          the recommendation.
        </Text>
        <Stack gap="sm">
          {groups.map((g) => (
            <ParetoChart
              key={g.key}
              group={g}
              threshold={threshold}
              pickId={recommend(g, threshold).pick?.modelId ?? null}
            />
          ))}
        </Stack>
      </SectionCard>
    </Stack>
  );
}
