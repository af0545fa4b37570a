import { Badge } from '@mantine/core';
import type { DeploymentStatus, DeviceDeployStatus, DriftState } from '../../../../shared/schemas/deploy';
import {
  deploymentStatusColors,
  deploymentStatusLabels,
  deviceStatusColors,
  deviceStatusLabels,
  driftColors,
  driftLabels,
} from './deploy-labels';

/**
 * A status is never cut to "fail…": the badge keeps the width of its word (Mantine's default ellipsis
 * would truncate it in a narrow table column).
 */
const whole = {
  root: { overflow: 'visible', flexShrink: 0, maxWidth: 'none' },
  label: { overflow: 'visible', textOverflow: 'clip' },
} as const;

export function DeviceStatusBadge({
  status,
  testId = 'device-result',
}: {
  status: DeviceDeployStatus;
  testId?: string;
}) {
  return (
    <Badge
      size="sm"
      radius="sm"
      tt="none"
      styles={whole}
      variant={status === 'pending' ? 'outline' : 'light'}
      color={deviceStatusColors[status]}
      data-testid={testId}
      data-status={status}
    >
      {deviceStatusLabels[status]}
    </Badge>
  );
}

export function DeploymentStatusBadge({
  status,
  testId = 'deployment-status',
}: {
  status: DeploymentStatus;
  testId?: string;
}) {
  return (
    <Badge
      size="sm"
      radius="sm"
      tt="none"
      styles={whole}
      variant="light"
      color={deploymentStatusColors[status]}
      data-testid={testId}
      data-status={status}
    >
      {deploymentStatusLabels[status]}
    </Badge>
  );
}

export function DriftBadge({ state }: { state: DriftState }) {
  return (
    <Badge
      size="sm"
      radius="sm"
      tt="none"
      styles={whole}
      variant="light"
      color={driftColors[state]}
      data-testid="drift-state"
      data-state={state}
    >
      {driftLabels[state]}
    </Badge>
  );
}
