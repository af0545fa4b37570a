import { Group, Paper, Stack, Text } from '@mantine/core';
import {
  CartesianGrid,
  ReferenceLine,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
  type ScatterShapeProps,
  type TooltipContentProps,
} from 'recharts';
import {
  formatCosine,
  formatDb,
  formatMs,
  formatPercent,
} from '../../components/variant-report/report-grades';
import { formatBytes } from '../../lib/format';
import {
  chartPoints,
  metricLabels,
  niceDomain,
  type ChartPoint,
  type TargetGroup,
  type Threshold,
} from './bench-results';
import { SourceBadge } from './results-table';

const axisTick = { fill: 'var(--mantine-color-dimmed)', fontSize: 11 };
const axisLine = { stroke: 'var(--mantine-color-default-border)' };

const colors = {
  pass: 'var(--mantine-color-teal-6)',
  fail: 'var(--mantine-color-gray-5)',
  pick: 'var(--mantine-color-orange-6)',
  front: 'var(--mantine-color-teal-4)',
  threshold: 'var(--mantine-color-orange-5)',
};

function formatMetric(metric: Threshold['metric'], value: number, exact = false): string {
  if (exact) return 'exact (reference)';
  if (metric === 'sqnr') return formatDb(value);
  if (metric === 'top1') return formatPercent(value);
  return formatCosine(value);
}

function Point(props: ScatterShapeProps) {
  const { cx, cy, size } = props;
  const point = props.payload as ChartPoint | undefined;
  if (cx === undefined || cy === undefined || !point) return null;
  const r = Math.max(3, Math.sqrt(size / Math.PI));
  return (
    <g data-testid="pareto-point" data-model-id={point.id} data-recommended={point.recommended}>
      {point.recommended && (
        <circle cx={cx} cy={cy} r={r + 4} fill="none" stroke={colors.pick} strokeWidth={2} />
      )}
      <circle
        cx={cx}
        cy={cy}
        r={r}
        fill={point.passes ? colors.pass : colors.fail}
        fillOpacity={0.75}
        stroke="var(--mantine-color-body)"
        strokeWidth={1}
      />
    </g>
  );
}

/** The front's line only: its vertices are the points already drawn. */
const noVertex = () => <g />;

function PointTooltip({ active, payload, metric }: TooltipContentProps & { metric: Threshold['metric'] }) {
  const point = payload[0]?.payload as ChartPoint | undefined;
  if (!active || !point) return null;
  return (
    <Paper withBorder shadow="sm" p={6}>
      <Text size="xs" fw={600}>
        {point.name}
        {point.recommended ? ' — recommended' : ''}
      </Text>
      <Text size="xs">p50 {formatMs(point.latencyMs)}</Text>
      <Text size="xs">
        {metricLabels[metric]} {formatMetric(metric, point.fidelity, point.exact)}
      </Text>
      <Text size="xs">size {formatBytes(point.sizeBytes)}</Text>
      {point.onFront && (
        <Text size="xs" c="dimmed">
          on the Pareto front
        </Text>
      )}
    </Paper>
  );
}

type ParetoChartProps = {
  group: TargetGroup;
  threshold: Threshold;
  pickId: string | null;
};

/** Latency (x) vs fidelity (y) of every variant on one target; point size = file size; the front joined. */
export function ParetoChart({ group, threshold, pickId }: ParetoChartProps) {
  const points = chartPoints(group, threshold, pickId);
  const front = points.filter((p) => p.onFront).sort((a, b) => a.latencyMs - b.latencyMs);
  const title =
    group.target.kind === 'local'
      ? 'This machine'
      : group.target.kind === 'device'
        ? group.target.id
        : group.target.label;
  const label = `${title}: latency vs ${metricLabels[threshold.metric].toLowerCase()}`;
  return (
    <Paper
      withBorder
      p="xs"
      component="figure"
      m={0}
      aria-label={label}
      data-testid="pareto-chart"
      data-target={group.target.id}
    >
      <Stack gap={4}>
        <Group gap="xs" justify="space-between" wrap="nowrap">
          <Text size="sm" fw={600} truncate component="figcaption">
            {title}
          </Text>
          <SourceBadge group={group} />
        </Group>
        {points.length === 0 ? (
          <Text size="xs" c="dimmed">
            No variant here has a {metricLabels[threshold.metric].toLowerCase()} figure to plot.
          </Text>
        ) : (
          <ScatterChart
            responsive
            style={{ width: '100%', height: 230 }}
            margin={{ top: 8, right: 16, bottom: 18, left: 4 }}
            title={label}
            desc={`${points.length} variants; larger points are larger files; the line joins the Pareto front.`}
          >
            <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-default-border)" />
            <XAxis
              type="number"
              dataKey="latencyMs"
              name="p50 latency"
              domain={[
                0,
                niceDomain(
                  points.map((p) => p.latencyMs),
                  0,
                )[1],
              ]}
              tickFormatter={(v: number) => formatMs(v)}
              tick={axisTick}
              axisLine={axisLine}
              tickLine={axisLine}
              label={{
                value: `p50 latency${group.source === 'estimated' ? ' (estimated)' : ''}`,
                position: 'insideBottom',
                offset: -10,
                fill: 'var(--mantine-color-dimmed)',
                fontSize: 11,
              }}
            />
            <YAxis
              type="number"
              dataKey="fidelity"
              name={metricLabels[threshold.metric]}
              width={64}
              domain={niceDomain(
                points.map((p) => p.fidelity),
                threshold.min,
              )}
              tickFormatter={(v: number) => formatMetric(threshold.metric, v)}
              tick={axisTick}
              axisLine={axisLine}
              tickLine={axisLine}
            />
            <ZAxis type="number" dataKey="sizeBytes" range={[60, 420]} name="size" />
            <ReferenceLine
              y={threshold.min}
              stroke={colors.threshold}
              strokeDasharray="4 4"
              label={{ value: 'threshold', position: 'insideTopRight', fill: colors.threshold, fontSize: 10 }}
            />
            <Scatter
              data={front}
              line={{ stroke: colors.front, strokeDasharray: '5 3' }}
              lineType="joint"
              shape={noVertex}
              legendType="none"
              tooltipType="none"
              isAnimationActive={false}
            />
            <Scatter data={points} shape={Point} isAnimationActive={false} />
            <Tooltip
              cursor={{ strokeDasharray: '3 3' }}
              content={(props) => <PointTooltip {...props} metric={threshold.metric} />}
            />
          </ScatterChart>
        )}
      </Stack>
    </Paper>
  );
}
