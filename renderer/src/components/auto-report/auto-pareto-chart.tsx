import { Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { CartesianGrid, ReferenceLine, Scatter, ScatterChart, XAxis, YAxis } from 'recharts';
import type { AutoCandidate } from '../../../../shared/schemas/optimize';
import { ChartSwatch as Swatch } from '../chart/chart-swatch';
import { NumberedPoints, type NumberedPoint } from '../chart/numbered-points';
import { formatRatio } from '../variant-report/report-grades';
import { chartPoints, ratioAxis } from './auto-report-model';

const axisText = 'var(--mantine-color-text)';
const axisTick = { fill: axisText, fontSize: 11 };
const axisLine = { stroke: 'var(--mantine-color-default-border)' };
const parentLine = 'var(--mantine-color-blue-7)';

/** Invisible: gives the axes their data extent; the points are drawn by NumberedPoints on top. */
const noVertex = () => <g />;

/**
 * Latency ratio (y) against size ratio (x) of every candidate, each labelled with its id (the # of the
 * candidates table, repeated in the key beside the chart); the parent a diamond at (1×, 1×) drawn on top; the
 * parent's latency line labelled. Lower-left is better.
 */
export function AutoParetoChart({ candidates }: { candidates: readonly AutoCandidate[] }) {
  const { meets, misses } = chartPoints(candidates);
  const order = new Map(candidates.map((c, i) => [c.id, i]));
  const all = [...meets, ...misses].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const unmeasured = candidates.length - all.length;
  const x = ratioAxis(all.map((p) => p.sizeRatio));
  const y = ratioAxis(all.map((p) => p.latencyRatio));
  const points: NumberedPoint[] = [
    ...all.map((p): NumberedPoint => ({
      key: p.id,
      label: p.id,
      x: p.sizeRatio,
      y: p.latencyRatio,
      mark: p.meetsGoal ? 'good' : 'bad',
      ringed: p.recommended,
      title: `${p.id} · ${p.kind}: latency ${formatRatio(p.latencyRatio)}, size ${formatRatio(p.sizeRatio)}, ${p.meetsGoal ? 'meets' : 'misses'} the goal`,
      data: { testid: 'auto-chart-point', candidate: p.id, 'meets-goal': p.meetsGoal },
    })),
    {
      key: 'parent',
      label: 'parent',
      x: 1,
      y: 1,
      mark: 'reference',
      title: 'The parent: 1× latency, 1× size',
      data: { testid: 'auto-chart-parent' },
    },
  ];
  return (
    <Stack
      gap={4}
      data-testid="auto-pareto-chart"
      component="figure"
      m={0}
      aria-label="Candidates: latency against size, both relative to the parent"
    >
      {all.length === 0 ? (
        <Text size="xs">
          No candidate has a measured latency to plot (the search stopped before timing them).
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
          <ScatterChart
            responsive
            style={{ width: '100%', height: 260, minWidth: 0 }}
            margin={{ top: 14, right: 20, bottom: 22, left: 10 }}
            title="Latency against size of every candidate, relative to the parent"
            desc={`${all.length} candidates, labelled with their ids as in the key; the parent is the diamond at 1×, 1×; lower and further left is better.`}
          >
            <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-default-border)" />
            <XAxis
              type="number"
              dataKey="x"
              name="size"
              domain={x.domain}
              ticks={x.ticks}
              tickFormatter={(v: number) => `${v}×`}
              tick={axisTick}
              axisLine={axisLine}
              tickLine={axisLine}
              label={{
                value: 'Size (× parent file) — left is smaller',
                position: 'insideBottom',
                offset: -14,
                fill: axisText,
                fontSize: 11,
              }}
            />
            <YAxis
              type="number"
              dataKey="y"
              name="latency"
              width={56}
              domain={y.domain}
              ticks={y.ticks}
              tickFormatter={(v: number) => `${v}×`}
              tick={axisTick}
              axisLine={axisLine}
              tickLine={axisLine}
              label={{
                value: 'Latency (× parent, median) — lower is faster',
                angle: -90,
                position: 'insideLeft',
                offset: 4,
                dy: 110,
                fill: axisText,
                fontSize: 10,
              }}
            />
            {/* Above this line a candidate is slower than the model it came from. */}
            <ReferenceLine
              y={1}
              stroke={parentLine}
              strokeDasharray="4 4"
              label={{
                value: 'parent latency (1×)',
                position: 'insideTopRight',
                fill: parentLine,
                fontSize: 11,
              }}
            />
            <Scatter data={points} shape={noVertex} isAnimationActive={false} legendType="none" />
            <NumberedPoints points={points} />
          </ScatterChart>
          <Table.ScrollContainer minWidth={200} type="native">
            <Table fz="xs" withTableBorder verticalSpacing={2} data-testid="auto-chart-key">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>#</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th ta="right">Latency</Table.Th>
                  <Table.Th ta="right">Size</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {all.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td fw={600}>{p.id}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>
                      {p.kind}
                      {p.recommended ? ' (recommended)' : ''}
                    </Table.Td>
                    <Table.Td ta="right">{formatRatio(p.latencyRatio)}</Table.Td>
                    <Table.Td ta="right">{formatRatio(p.sizeRatio)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </SimpleGrid>
      )}
      <Group gap="md" component="figcaption">
        <Swatch mark="good" label="meets the goal" />
        <Swatch mark="bad" label="misses the goal" />
        <Swatch mark="ring" label="recommended" />
        <Swatch mark="reference" label="parent (1×, 1×)" />
        {unmeasured > 0 && <Text size="xs">{unmeasured} without a measured latency not shown</Text>}
      </Group>
    </Stack>
  );
}
