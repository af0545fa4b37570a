import { Box, Text } from '@mantine/core';

type Bar = { key: string; label: string; value: number; display: string; note?: string };

/**
 * Horizontal bars in plain CSS (a chart library is not worth it here). Each row reads as text too,
 * so the numbers are there for screen readers and copy-paste.
 */
export function BarList({ bars, testId, rowTestId }: { bars: Bar[]; testId: string; rowTestId: string }) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  return (
    <Box
      component="ul"
      data-testid={testId}
      style={{
        listStyle: 'none',
        margin: 0,
        padding: 0,
        display: 'grid',
        gridTemplateColumns: 'minmax(90px, max-content) 1fr minmax(48px, max-content)',
        alignItems: 'center',
        columnGap: 'var(--mantine-spacing-sm)',
        rowGap: 4,
      }}
    >
      {bars.map((bar) => (
        <li key={bar.key} data-testid={rowTestId} data-label={bar.label} style={{ display: 'contents' }}>
          <Text size="sm" ff="monospace" truncate title={bar.label}>
            {bar.label}
            {bar.note && (
              <Text span size="xs" c="dimmed">
                {' '}
                {bar.note}
              </Text>
            )}
          </Text>
          <div className="bar-track" aria-hidden="true">
            {/* Tiny but non-zero values keep a visible sliver. */}
            <div
              className="bar-fill"
              style={{ width: `${(bar.value / max) * 100}%`, minWidth: bar.value > 0 ? 3 : 0 }}
            />
          </div>
          <Text size="sm" ff="monospace" ta="right">
            {bar.display}
          </Text>
        </li>
      ))}
    </Box>
  );
}
