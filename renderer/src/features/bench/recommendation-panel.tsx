import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
} from '@mantine/core';
import { useNavigate } from 'react-router';
import { DeployIcon } from '../../components/icons';
import { formatMs } from '../../components/variant-report/report-grades';
import { formatBytes } from '../../lib/format';
import { deployPath } from './bench-link';
import {
  formatThreshold,
  metricLabels,
  type FidelityMetric,
  type Recommendation,
  type TargetGroup,
  type Threshold,
} from './bench-results';
import type { BenchView } from './bench-session';

type RecommendationPanelProps = {
  groups: readonly TargetGroup[];
  group: TargetGroup;
  view: BenchView;
  recommendation: Recommendation;
  onView: (patch: Partial<BenchView>) => void;
};

const groupLabel = (g: TargetGroup) =>
  `${g.target.kind === 'local' ? 'This machine' : g.target.kind === 'device' ? g.target.id : g.target.label} — ${g.badge}`;

/** Threshold input in the unit people think in: dB, a cosine, or a percentage for top-1. */
function ThresholdInput({ view, onView }: Pick<RecommendationPanelProps, 'view' | 'onView'>) {
  const metric = view.metric;
  const value = view.thresholds[metric];
  const set = (v: string | number) => {
    const n = typeof v === 'number' ? v : Number.parseFloat(v);
    if (!Number.isFinite(n)) return;
    onView({ thresholds: { ...view.thresholds, [metric]: metric === 'top1' ? n / 100 : n } });
  };
  const common = {
    size: 'xs' as const,
    w: 130,
    onChange: set,
    'data-testid': 'bench-threshold',
    label: 'At least',
  };
  if (metric === 'sqnr')
    return <NumberInput {...common} value={value} min={0} max={200} step={1} suffix=" dB" />;
  if (metric === 'top1') {
    return (
      <NumberInput
        {...common}
        value={Number((value * 100).toFixed(2))}
        min={0}
        max={100}
        step={0.5}
        suffix=" %"
      />
    );
  }
  return <NumberInput {...common} value={value} min={0} max={1} step={0.0005} decimalScale={6} />;
}

/** The fastest variant that meets the fidelity bar on the chosen target, and a way to ship it. */
export function RecommendationPanel({
  groups,
  group,
  view,
  recommendation,
  onView,
}: RecommendationPanelProps) {
  const navigate = useNavigate();
  const threshold: Threshold = { metric: view.metric, min: view.thresholds[view.metric] };
  const pick = recommendation.pick;
  const randomFidelity = group.rows.some(
    (r) => r.fidelity.kind === 'report' && r.fidelity.source === 'random',
  );
  return (
    <Stack gap="xs" data-testid="bench-recommendation" data-target={group.target.id}>
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Select
          size="xs"
          label="Target"
          w={300}
          data={groups.map((g) => ({ value: g.key, label: groupLabel(g) }))}
          value={group.key}
          onChange={(key) => key && onView({ targetKey: key })}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
          data-testid="bench-reco-target"
        />
        <Stack gap={2}>
          <Text size="xs" fw={500} id="bench-metric-label">
            Fidelity measure
          </Text>
          <SegmentedControl
            size="xs"
            value={view.metric}
            onChange={(v) => onView({ metric: v as FidelityMetric })}
            data={(['cosine', 'sqnr', 'top1'] as const).map((m) => ({
              value: m,
              label: m === 'top1' ? 'Top-1' : metricLabels[m],
            }))}
            aria-labelledby="bench-metric-label"
            data-testid="bench-metric"
          />
        </Stack>
        <ThresholdInput view={view} onView={onView} />
      </Group>

      {pick ? (
        <Paper withBorder p="sm" data-testid="bench-recommended" data-model-id={pick.modelId}>
          <Group justify="space-between" wrap="nowrap" align="center">
            <Stack gap={2}>
              <Text size="xs" c="dimmed">
                Fastest variant with {formatThreshold(threshold)} on {groupLabel(group)}
              </Text>
              <Group gap="xs">
                <Text fw={700} data-testid="bench-recommended-name">
                  {pick.modelName}
                </Text>
                <Badge
                  size="sm"
                  variant="light"
                  tt="none"
                  color={pick.source === 'measured' ? 'teal' : 'yellow'}
                >
                  {pick.source === 'estimated' ? '≈ ' : ''}
                  {pick.p50Ms === null ? '—' : formatMs(pick.p50Ms)} p50
                </Badge>
                {pick.sizeBytes !== null && (
                  <Badge size="sm" variant="default" tt="none">
                    {formatBytes(pick.sizeBytes)}
                  </Badge>
                )}
              </Group>
            </Stack>
            <Button
              size="xs"
              leftSection={<DeployIcon size={14} />}
              onClick={() => void navigate(deployPath(pick.modelId))}
              data-testid="bench-deploy"
            >
              Deploy this
            </Button>
          </Group>
        </Paper>
      ) : (
        <Alert color="yellow" variant="light" p="xs" data-testid="bench-no-recommendation">
          <Text size="sm">
            No variant meets {formatThreshold(threshold)} and fits on this target. Lower the bar, or make a
            more faithful variant (e.g. leave the worst layers in float on the Optimize page).
          </Text>
        </Alert>
      )}

      <List size="xs" spacing={2} data-testid="bench-considered">
        {recommendation.considered.map(({ row, ok, why }) => (
          <List.Item key={row.result.id} c={ok ? undefined : 'dimmed'}>
            {row.modelName}:{' '}
            {row.p50Ms === null ? '—' : `${row.source === 'estimated' ? '≈ ' : ''}${formatMs(row.p50Ms)}`} —{' '}
            {why}
          </List.Item>
        ))}
      </List>
      {randomFidelity && (
        <Text size="xs" c="dimmed" data-testid="bench-random-fidelity">
          Some fidelity figures were measured on random inputs: indicative only. Give evaluation data when
          optimizing for figures you can trust.
        </Text>
      )}
    </Stack>
  );
}
