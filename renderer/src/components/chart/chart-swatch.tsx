import { Box, Group, Text } from '@mantine/core';
import { pointColors } from './numbered-points';

/** A legend entry drawn like the chart's own marks (filled circle, hollow square, diamond, ring). */
export function ChartSwatch({ mark, label }: { mark: 'good' | 'bad' | 'reference' | 'ring'; label: string }) {
  const color = mark === 'ring' ? pointColors.ring : pointColors[mark];
  return (
    <Group gap={4} wrap="nowrap">
      <Box
        w={10}
        h={10}
        style={{
          borderRadius: mark === 'good' || mark === 'ring' ? '50%' : 0,
          transform: mark === 'reference' ? 'rotate(45deg) scale(0.85)' : undefined,
          background: mark === 'good' || mark === 'reference' ? color : 'none',
          border: `2px solid ${color}`,
        }}
      />
      <Text size="xs">{label}</Text>
    </Group>
  );
}
