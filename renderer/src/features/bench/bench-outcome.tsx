import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import type { BenchReport } from '../../../../shared/schemas/bench';
import { ErrorAlert } from '../../components/error-alert';
import { SectionCard } from '../../components/section-card';
import { formatDateTime } from '../../lib/format';
import { estimatorLine, newestResult } from './bench-lines';
import { recommend, type TargetGroup } from './bench-results';
import type { BenchRun, BenchView } from './bench-session';
import { ParetoChart } from './pareto-chart';
import { RecommendationPanel } from './recommendation-panel';
import { ResultNotes } from './result-notes';
import { ResultsTable } from './results-table';

export function RunFailure({
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

export function Results({ groups, view, onView, fromRun, report, onDismiss }: ResultsProps) {
  const group = groups.find((g) => g.key === view.targetKey) ?? groups[0];
  const threshold = { metric: view.metric, min: view.thresholds[view.metric] };
  const recommendation = group ? recommend(group, threshold) : null;
  if (!group || !recommendation) return null;
  const newest = newestResult(groups);
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
            {estimatorLine(report.estimatorError)}
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
