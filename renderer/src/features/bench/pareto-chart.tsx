import { Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { CartesianGrid, ReferenceLine, Scatter, ScatterChart, XAxis, YAxis } from 'recharts';
import { ChartSwatch as Swatch } from '../../components/chart/chart-swatch';
import { NumberedPoints, type NumberedPoint } from '../../components/chart/numbered-points';
import {
  formatCosine,
  formatDb,
  formatMs,
  formatPercent,
} from '../../components/variant-report/report-grades';
import { formatBytes } from '../../lib/format';
import {
  chartPoints,
  formatThreshold,
  metricLabels,
  type ChartPoint,
  type TargetGroup,
  type Threshold,
} from './bench-results';
import { fidelityScale, latencyAxis } from './fidelity-scale';
import { SourceBadge } from './results-table';

const axisText = 'var(--mantine-color-text)';
const axisTick = { fill: axisText, fontSize: 11 };
const axisLine = { stroke: 'var(--mantine-color-default-border)' };
const frontColor = 'var(--mantine-color-teal-5)';
const goalColor = 'var(--mantine-color-orange-8)';

function formatMetric(metric: Threshold['metric'], value: number, exact: boolean): string {
  if (exact) return 'exact';
  if (metric === 'sqnr') return formatDb(value);
  if (metric === 'top1') return formatPercent(value);
  return formatCosine(value);
}

/** The front's line only: its vertices are the numbered points drawn on top. */
const noVertex = () => <g />;

type Numbered = ChartPoint & { n: number; metricValue: number };

function status(p: Numbered): string {
  if (p.exact) return 'reference';
  if (p.recommended) return 'recommended';
  return p.passes ? 'meets goal' : 'below goal';
}

/** The key beside the chart: which variant each number is, with the figures the chart plots. */
function ChartKey({ points, threshold }: { points: readonly Numbered[]; threshold: Threshold }) {
  return (
    <Table.ScrollContainer minWidth={300} type="native">
      <Table fz="xs" withTableBorder verticalSpacing={2} data-testid="pareto-key">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Variant</Table.Th>
            <Table.Th ta="right">p50</Table.Th>
            <Table.Th ta="right">{metricLabels[threshold.metric]}</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {points.map((p) => (
            <Table.Tr key={p.id} data-testid="pareto-key-row" data-model-id={p.id}>
              <Table.Td fw={600}>{p.n}</Table.Td>
              <Table.Td>
                <Text size="xs" style={{ overflowWrap: 'anywhere' }}>
                  {p.name}
                </Text>
                <Text size="xs" c={p.passes ? 'teal' : undefined} fw={p.recommended ? 600 : undefined}>
                  {status(p)}
                </Text>
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatMs(p.latencyMs)}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatMetric(threshold.metric, p.metricValue, p.exact)}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatBytes(p.sizeBytes)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

type ParetoChartProps = {
  group: TargetGroup;
  threshold: Threshold;
  pickId: string | null;
};

/**
 * Latency (x) vs fidelity (y) of every variant on one target, each point numbered with a key table beside it;
 * the front joined, the goal line labelled, the reference a diamond on top.
 */
export function ParetoChart({ group, threshold, pickId }: ParetoChartProps) {
  const raw = chartPoints(group, threshold, pickId);
  const measuredValues = raw.filter((p) => !p.exact).map((p) => p.fidelity);
  const y = fidelityScale(threshold.metric, measuredValues, threshold.min);
  const x = latencyAxis(raw.map((p) => p.latencyMs));
  const points: Numbered[] = raw.map((p, i) => ({
    ...p,
    n: i + 1,
    metricValue: p.fidelity,
    fidelity: y.plot(p.fidelity, p.exact),
  }));
  const front = points.filter((p) => p.onFront).sort((a, b) => a.latencyMs - b.latencyMs);
  const numbered: NumberedPoint[] = points.map((p) => ({
    key: p.id,
    label: String(p.n),
    x: p.latencyMs,
    y: p.fidelity,
    mark: p.exact ? 'reference' : p.passes ? 'good' : 'bad',
    ringed: p.recommended,
    title: `${p.n}. ${p.name}: p50 ${formatMs(p.latencyMs)}, ${metricLabels[threshold.metric].toLowerCase()} ${formatMetric(threshold.metric, p.metricValue, p.exact)}, ${formatBytes(p.sizeBytes)}`,
    data: { testid: 'pareto-point', 'model-id': p.id, recommended: p.recommended, n: String(p.n) },
  }));
  const title =
    group.target.kind === 'local'
      ? 'This machine'
      : group.target.kind === 'device'
        ? group.target.id
        : group.target.label;
  const label = `${title}: latency vs ${metricLabels[threshold.metric].toLowerCase()}`;
  const xTitle = `p50 latency (${x.unit}${group.source === 'estimated' ? ', estimated' : ''}) — left is faster`;
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
        <Group gap="xs" justify="space-between" wrap="wrap">
          <Text size="sm" fw={600} component="figcaption">
            {title}
          </Text>
          <SourceBadge group={group} />
        </Group>
        {points.length === 0 ? (
          <Text size="xs">
            No variant here has a {metricLabels[threshold.metric].toLowerCase()} figure to plot.
          </Text>
        ) : (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
            <Stack gap={4} miw={0}>
              <ScatterChart
                responsive
                style={{ width: '100%', height: 280 }}
                margin={{ top: 14, right: 24, bottom: 22, left: 14 }}
                title={label}
                desc={`${points.length} variants, numbered as in the key; higher and further left is better; the dashed line is the goal (${formatThreshold(threshold)}).`}
              >
                <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-default-border)" />
                <XAxis
                  type="number"
                  dataKey="latencyMs"
                  name="p50 latency"
                  domain={x.domain}
                  ticks={x.ticks}
                  tickFormatter={x.tick}
                  tick={axisTick}
                  axisLine={axisLine}
                  tickLine={axisLine}
                  label={{
                    value: xTitle,
                    position: 'insideBottom',
                    offset: -14,
                    fill: axisText,
                    fontSize: 11,
                  }}
                />
                <YAxis
                  type="number"
                  dataKey="fidelity"
                  name={metricLabels[threshold.metric]}
                  width={74}
                  scale={y.kind}
                  reversed={y.reversed}
                  domain={y.domain}
                  ticks={y.ticks}
                  interval={0}
                  allowDataOverflow
                  tickFormatter={y.tick}
                  tick={axisTick}
                  axisLine={axisLine}
                  tickLine={axisLine}
                  label={{
                    value: `${y.title} — up is better`,
                    angle: -90,
                    position: 'insideLeft',
                    offset: -6,
                    dy: 120,
                    fill: axisText,
                    fontSize: 10,
                  }}
                />
                <ReferenceLine
                  y={y.goal}
                  stroke={goalColor}
                  strokeDasharray="4 4"
                  label={{
                    value: `goal: ${formatThreshold(threshold)}`,
                    position: 'insideBottomRight',
                    fill: goalColor,
                    fontSize: 11,
                  }}
                />
                <Scatter
                  data={front}
                  line={{ stroke: frontColor, strokeDasharray: '5 3' }}
                  lineType="joint"
                  shape={noVertex}
                  legendType="none"
                  tooltipType="none"
                  isAnimationActive={false}
                />
                <NumberedPoints points={numbered} />
              </ScatterChart>
              <Group gap="sm" wrap="wrap">
                <Swatch mark="reference" label="reference (original)" />
                <Swatch mark="good" label="meets goal" />
                <Swatch mark="bad" label="below goal" />
                <Swatch mark="ring" label="recommended" />
              </Group>
            </Stack>
            <ChartKey points={points} threshold={threshold} />
          </SimpleGrid>
        )}
      </Stack>
    </Paper>
  );
}
