import { Box, Text } from '@mantine/core';
import type { DeviceResult } from '../../../../shared/schemas/deploy';
import { logOffset } from './deployment-report-format';

const levelColor = { info: undefined, warn: 'yellow.8', error: 'red.8' } as const;

/** One device's log, each line timed from the first. */
export function ReportLog({ id, device }: { id: string; device: DeviceResult }) {
  const first = device.log[0];
  if (first === undefined)
    return (
      <Text id={id} size="xs" c="dimmed" px="sm" py={4} data-testid="report-log">
        No log lines.
      </Text>
    );
  return (
    <Box
      id={id}
      component="ol"
      m={0}
      px="sm"
      py={4}
      style={{ listStyle: 'none', maxHeight: 260, overflow: 'auto' }}
      data-testid="report-log"
      aria-label={`Log of ${device.deviceName}`}
    >
      {device.log.map((line, i) => (
        <Text
          key={i}
          component="li"
          size="xs"
          ff="monospace"
          c={levelColor[line.level]}
          data-testid="report-log-line"
          data-level={line.level}
          style={{ whiteSpace: 'pre-wrap' }}
        >
          {logOffset(first.at, line.at)} [{line.step}] {line.message}
        </Text>
      ))}
    </Box>
  );
}
