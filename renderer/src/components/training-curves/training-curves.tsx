import { Group, Stack, Text } from '@mantine/core';
import { memo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { curvePoints } from './curve-points';

const colors = {
  loss: 'var(--mantine-color-orange-6)',
  fidelity: 'var(--mantine-color-teal-6)',
  line: 'var(--mantine-color-default-border)',
  text: 'var(--mantine-color-dimmed)',
};
const axisTick = { fill: colors.text, fontSize: 11 };
const axisLine = { stroke: colors.line };

const fmtLoss = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
const fmtCos = (v: number) => v.toFixed(4);

/**
 * Mean training loss (left axis) and held-out cosine to the teacher (right axis) per epoch: live on the
 * Optimize page while a training runs, and in a trained variant's report. The last values are also written
 * out, so they can be read without the chart.
 */
function TrainingCurvesView({
  lossCurve,
  fidelityCurve,
  epochs,
  testId = 'training-curves',
}: {
  lossCurve: readonly number[];
  fidelityCurve: readonly number[];
  /** Planned epochs: the x axis spans them all while training runs. */
  epochs?: number;
  testId?: string;
}) {
  const points = curvePoints(lossCurve, fidelityCurve);
  const hasFidelity = fidelityCurve.length > 0;
  const lastLoss = lossCurve.at(-1);
  const lastFidelity = fidelityCurve.at(-1);
  const drawn = Math.max(lossCurve.length, fidelityCurve.length);
  const xMax = Math.max(epochs ?? 1, drawn, 1);
  // Dots only while they can be told apart.
  const dot = points.length <= 40 ? { r: 3 } : false;
  return (
    <Stack
      gap={4}
      component="figure"
      m={0}
      data-testid={testId}
      data-epochs={drawn}
      aria-label="Training loss and held-out fidelity per epoch"
    >
      {points.length === 0 ? (
        <Text size="xs" c="dimmed" data-testid={`${testId}-empty`}>
          The curves start when the first epoch ends.
        </Text>
      ) : (
        <LineChart
          responsive
          data={points}
          style={{ width: '100%', height: 200 }}
          margin={{ top: 8, right: 8, bottom: 18, left: 8 }}
          title="Training loss and held-out fidelity per epoch"
        >
          <CartesianGrid strokeDasharray="3 3" stroke={colors.line} />
          <XAxis
            type="number"
            dataKey="epoch"
            domain={[1, xMax]}
            allowDecimals={false}
            tick={axisTick}
            axisLine={axisLine}
            tickLine={axisLine}
            label={{ value: 'Epoch', position: 'insideBottom', offset: -10, fill: colors.text, fontSize: 11 }}
          />
          <YAxis
            yAxisId="loss"
            width={48}
            domain={['auto', 'auto']}
            tickFormatter={fmtLoss}
            tick={axisTick}
            axisLine={axisLine}
            tickLine={axisLine}
          />
          {hasFidelity && (
            <YAxis
              yAxisId="fidelity"
              orientation="right"
              width={56}
              domain={['auto', 'auto']}
              tickFormatter={fmtCos}
              tick={axisTick}
              axisLine={axisLine}
              tickLine={axisLine}
            />
          )}
          <Line
            yAxisId="loss"
            dataKey="loss"
            name="loss"
            stroke={colors.loss}
            dot={dot}
            isAnimationActive={false}
            connectNulls
          />
          {hasFidelity && (
            <Line
              yAxisId="fidelity"
              dataKey="fidelity"
              name="held-out cosine"
              stroke={colors.fidelity}
              strokeDasharray="5 3"
              dot={dot}
              isAnimationActive={false}
              connectNulls
            />
          )}
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(5) : String(v))} />
        </LineChart>
      )}
      <Group gap="md" component="figcaption">
        <Text size="xs" data-testid={`${testId}-loss`}>
          <span style={{ color: colors.loss }}>━</span> loss
          {lastLoss === undefined ? '' : ` ${fmtLoss(lastLoss)} (epoch ${lossCurve.length})`}
        </Text>
        <Text size="xs" data-testid={`${testId}-fidelity`}>
          <span style={{ color: colors.fidelity }}>╍</span> held-out cosine to the teacher
          {lastFidelity === undefined
            ? hasFidelity
              ? ''
              : ': not measured (no held-out samples)'
            : ` ${fmtCos(lastFidelity)} (epoch ${fidelityCurve.length})`}
        </Text>
      </Group>
    </Stack>
  );
}

const sameCurve = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.at(-1) === b.at(-1);

/**
 * Live progress arrives ten times a second with new arrays holding the same epochs: the chart redraws only
 * when an epoch is added (redrawing it each time kept a busy machine's page from answering).
 */
export const TrainingCurves = memo(
  TrainingCurvesView,
  (a, b) =>
    a.epochs === b.epochs &&
    a.testId === b.testId &&
    sameCurve(a.lossCurve, b.lossCurve) &&
    sameCurve(a.fidelityCurve, b.fidelityCurve),
);
