import { Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { CartesianGrid, ReferenceLine, Scatter, ScatterChart, XAxis, YAxis } from 'recharts';
import { ChartSwatch as Swatch } from '../../components/chart/chart-swatch';
import { NumberedPoints } from '../../components/chart/numbered-points';
import {
  chartPoints,
  formatThreshold,
  metricLabels,
  type TargetGroup,
  type Threshold,
} from './bench-results';
import { fidelityScale, latencyAxis } from './fidelity-scale';
import { ParetoKey } from './pareto-key';
import { chartMarks, frontLine, numberPoints } from './pareto-points';
import { targetTitle } from './results-format';
import { SourceBadge } from './source-badge';

const axisText = 'var(--mantine-color-text)';
const axisTick = { fill: axisText, fontSize: 11 };
const axisLine = { stroke: 'var(--mantine-color-default-border)' };
const frontColor = 'var(--mantine-color-teal-5)';
const goalColor = 'var(--mantine-color-orange-8)';

/** The front's line only: its vertices are the numbered points drawn on top. */
const noVertex = () => <g />;

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
  const points = numberPoints(raw, y);
  const front = frontLine(points);
  const numbered = chartMarks(points, threshold);
  const title = targetTitle(group.target);
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
            <ParetoKey points={points} threshold={threshold} />
          </SimpleGrid>
        )}
      </Stack>
    </Paper>
  );
}
