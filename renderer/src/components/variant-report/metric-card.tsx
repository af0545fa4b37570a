import { Paper, Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import { gradeColor, gradeWord, type Grade } from './report-grades';

type MetricCardProps = {
  label: string;
  value: string;
  grade: Grade;
  /** One line under the value: what it is made of ("1.2 MiB → 310 KiB"). */
  detail?: ReactNode;
  /** What the figure means and what a good one looks like. */
  help: string;
  testId: string;
};

/**
 * One headline figure. The grade shows as the coloured edge and the value's colour, and is also said in
 * words (screen readers, colour-blind users): colour is never the only carrier.
 */
export function MetricCard({ label, value, grade, detail, help, testId }: MetricCardProps) {
  const color = gradeColor[grade];
  return (
    <Tooltip label={help} multiline w={280} openDelay={300}>
      <Paper
        withBorder
        px="sm"
        py={6}
        data-testid={testId}
        data-grade={grade}
        tabIndex={0}
        role="group"
        aria-label={`${label}: ${value} (${gradeWord[grade]})`}
        style={{ borderLeft: `4px solid var(--mantine-color-${color}-filled)` }}
      >
        <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.3}>
          {label}
        </Text>
        <Text
          size="xl"
          fw={700}
          ff="monospace"
          c={grade === 'neutral' ? undefined : `${color}.${grade === 'fair' ? 8 : 7}`}
          data-testid="metric-value"
          lh={1.3}
        >
          {value}
        </Text>
        {detail && (
          // Wraps rather than truncates: "same arg-max on 16 samp…" hides the figure that matters.
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {detail}
          </Text>
        )}
      </Paper>
    </Tooltip>
  );
}
