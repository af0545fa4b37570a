import { Badge, type MantineColor } from '@mantine/core';
import type { Device, DeviceState } from '../../../../shared/schemas/fleet';
import { stateOf, statusLabels } from './device-filter';

export const stateColors: Record<DeviceState | 'unchecked', MantineColor> = {
  online: 'teal',
  offline: 'gray',
  auth_failed: 'orange',
  host_key_problem: 'red',
  timeout: 'yellow',
  error: 'red',
  unchecked: 'gray',
};

/** The last reachability check, as a colored word (the word carries the meaning, not the color). */
export function StatusBadge({ device, testId = 'device-status' }: { device: Device; testId?: string }) {
  const state = stateOf(device);
  return (
    <Badge
      size="xs"
      radius="sm"
      variant={state === 'unchecked' ? 'outline' : 'light'}
      color={stateColors[state]}
      tt="none"
      data-testid={testId}
      data-state={state}
    >
      {statusLabels[state]}
    </Badge>
  );
}
