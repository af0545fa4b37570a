import { Box, Group, Paper, Stack, Text } from '@mantine/core';
import {
  CartesianGrid,
  LabelList,
  ReferenceDot,
  ReferenceLine,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  type ScatterShapeProps,
  type TooltipContentProps,
} from 'recharts';
import type { AutoCandidate } from '../../../../shared/schemas/optimize';
import { formatRatio } from '../variant-report/report-grades';
import { chartPoints, ratioAxis, type ChartPoint } from './auto-report-model';

const colors = {
  meets: 'var(--mantine-color-teal-6)',
  misses: 'var(--mantine-color-gray-5)',
  pick: 'var(--mantine-color-orange-6)',
  parent: 'var(--mantine-color-blue-6)',
  line: 'var(--mantine-color-default-border)',
  text: 'var(--mantine-color-dimmed)',
};
const axisTick = { fill: colors.text, fontSize: 11 };
const axisLine = { stroke: colors.line };

function Point(props: ScatterShapeProps) {
  const { cx, cy } = props;
  const point = props.payload as ChartPoint | undefined;
  if (cx === undefined || cy === undefined || !point) return null;
  return (
    <g data-testid="auto-chart-point" data-candidate={point.id} data-meets-goal={point.meetsGoal}>
      {point.recommended && <circle cx={cx} cy={cy} r={9} fill="none" stroke={colors.pick} strokeWidth={2} />}
      {/* Goal-meeting points are filled circles, the others hollow squares: told apart without colour too. */}
      {point.meetsGoal ? (
        <circle cx={cx} cy={cy} r={5} fill={colors.meets} stroke="var(--mantine-color-body)" />
      ) : (
        <rect x={cx - 4} y={cy - 4} width={8} height={8} fill="none" stroke={colors.misses} strokeWidth={2} />
      )}
    </g>
  );
}

function PointTooltip({ active, payload }: TooltipContentProps) {
  const point = payload[0]?.payload as ChartPoint | undefined;
  if (!active || !point) return null;
  return (
    <Paper withBorder shadow="sm" p={6}>
      <Text size="xs" fw={600}>
        {point.id} · {point.kind}
        {point.recommended ? ' — recommended' : ''}
      </Text>
      <Text size="xs">
        latency {formatRatio(point.latencyRatio)}, size {formatRatio(point.sizeRatio)}
      </Text>
      <Text size="xs">{point.meetsGoal ? 'meets the goal' : 'misses the goal'}</Text>
    </Paper>
  );
}

function LegendMark({
  color,
  mark,
  label,
}: {
  color: string;
  mark: 'dot' | 'square' | 'ring';
  label: string;
}) {
  return (
    <Group gap={4} wrap="nowrap">
      <Box
        w={9}
        h={9}
        style={{
          borderRadius: mark === 'square' ? 0 : '50%',
          background: mark === 'dot' ? color : 'none',
          border: `2px solid ${color}`,
        }}
      />
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Group>
  );
}

/** Latency ratio (y) against size ratio (x) of every candidate; the parent at (1, 1); lower-left is better. */
export function AutoParetoChart({ candidates }: { candidates: readonly AutoCandidate[] }) {
  const { meets, misses } = chartPoints(candidates);
  const all = [...meets, ...misses];
  const unmeasured = candidates.length - all.length;
  const x = ratioAxis(all.map((p) => p.sizeRatio));
  const y = ratioAxis(all.map((p) => p.latencyRatio));
  return (
    <Stack
      gap={4}
      data-testid="auto-pareto-chart"
      component="figure"
      m={0}
      aria-label="Candidates: latency against size, both relative to the parent"
    >
      {all.length === 0 ? (
        <Text size="xs" c="dimmed">
          No candidate has a measured latency to plot (the search stopped before timing them).
        </Text>
      ) : (
        <ScatterChart
          responsive
          style={{ width: '100%', height: 260 }}
          margin={{ top: 12, right: 20, bottom: 22, left: 8 }}
          title="Latency against size of every candidate, relative to the parent"
          desc={`${all.length} candidates; the parent is at 1×, 1×; lower and further left is better.`}
        >
          <CartesianGrid strokeDasharray="3 3" stroke={colors.line} />
          <XAxis
            type="number"
            dataKey="sizeRatio"
            name="size"
            domain={x.domain}
            ticks={x.ticks}
            tickFormatter={(v: number) => `${v}×`}
            tick={axisTick}
            axisLine={axisLine}
            tickLine={axisLine}
            label={{
              value: 'Size (× parent file size)',
              position: 'insideBottom',
              offset: -14,
              fill: colors.text,
              fontSize: 11,
            }}
          />
          <YAxis
            type="number"
            dataKey="latencyRatio"
            name="latency"
            width={56}
            domain={y.domain}
            ticks={y.ticks}
            tickFormatter={(v: number) => `${v}×`}
            tick={axisTick}
            axisLine={axisLine}
            tickLine={axisLine}
            label={{
              value: 'Latency (× parent, median)',
              angle: -90,
              position: 'insideLeft',
              offset: 4,
              dy: 70,
              fill: colors.text,
              fontSize: 11,
            }}
          />
          {/* Above this line a candidate is slower than the model it came from. */}
          <ReferenceLine y={1} stroke={colors.parent} strokeDasharray="4 4" />
          <ReferenceDot
            x={1}
            y={1}
            r={5}
            fill={colors.parent}
            stroke="none"
            label={{ value: 'parent', position: 'bottom', fill: colors.parent, fontSize: 11 }}
          />
          <Scatter data={meets} shape={Point} isAnimationActive={false} name="meets the goal">
            <LabelList dataKey="id" position="top" fill={colors.text} fontSize={10} />
          </Scatter>
          <Scatter data={misses} shape={Point} isAnimationActive={false} name="misses the goal">
            <LabelList dataKey="id" position="top" fill={colors.text} fontSize={10} />
          </Scatter>
          <Tooltip cursor={{ strokeDasharray: '3 3' }} content={(props) => <PointTooltip {...props} />} />
        </ScatterChart>
      )}
      <Group gap="md" component="figcaption">
        <LegendMark color={colors.meets} mark="dot" label="meets the goal" />
        <LegendMark color={colors.misses} mark="square" label="misses the goal" />
        <LegendMark color={colors.pick} mark="ring" label="recommended" />
        <LegendMark color={colors.parent} mark="dot" label="parent (1×, 1×)" />
        {unmeasured > 0 && (
          <Text size="xs" c="dimmed">
            {unmeasured} without a measured latency not shown
          </Text>
        )}
      </Group>
    </Stack>
  );
}
