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
      variant="light"
      color={driftColors[state]}
      data-testid="drift-state"
      data-state={state}
    >
      {driftLabels[state]}
    </Badge>
  );
}
