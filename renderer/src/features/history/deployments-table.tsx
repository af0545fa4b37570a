import { Badge, Group, Table, Text } from '@mantine/core';
import type { KeyboardEvent } from 'react';
import type { Deployment } from '../../../../shared/schemas/deploy';
import type { Model } from '../../../../shared/schemas/models';
import { formatBytes, formatDateTime } from '../../lib/format';
import { DeploymentStatusBadge } from '../deploy/deploy-badges';

type DeploymentsTableProps = {
  deployments: readonly Deployment[];
  modelsById: ReadonlyMap<string, Model>;
  selectedId: string | null;
  onSelect: (id: string) => void;
};

/** Targets as people read them: the first few names, then how many more. */
export function targetsText(deployment: Deployment, max = 3): string {
  const names = deployment.targets.map((t) => t.deviceName);
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} +${names.length - max} more`;
}

/** What a deployment shipped: the variant's library name when known, else the model directory name. */
export function variantText(deployment: Deployment, modelsById: ReadonlyMap<string, Model>): string {
  if (deployment.kind === 'rollback') return `${deployment.modelName} (rollback)`;
  const variant = deployment.variantId === null ? undefined : modelsById.get(deployment.variantId);
  return variant?.name ?? deployment.modelName;
}

/** Every deploy and rollback, newest first; a row opens its per-device report (click or Enter). */
export function DeploymentsTable({ deployments, modelsById, selectedId, onSelect }: DeploymentsTableProps) {
  const onKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, id: string) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect(id);
      return;
    }
    const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const sibling =
      step > 0 ? event.currentTarget.nextElementSibling : event.currentTarget.previousElementSibling;
    if (sibling instanceof HTMLElement) sibling.focus();
  };

  return (
    <Table withTableBorder highlightOnHover data-testid="deployments-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>When</Table.Th>
          <Table.Th>Variant</Table.Th>
          <Table.Th>Release</Table.Th>
          <Table.Th>Targets</Table.Th>
          <Table.Th>By</Table.Th>
          <Table.Th>Status</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {deployments.map((d) => (
          <Table.Tr
            key={d.id}
            tabIndex={0}
            aria-selected={d.id === selectedId}
            onClick={() => onSelect(d.id)}
            onKeyDown={(event) => onKeyDown(event, d.id)}
            data-testid="deployment-row"
            data-deployment-id={d.id}
            data-kind={d.kind}
            data-status={d.status}
          >
            <Table.Td>
              <Text size="sm" component="time" dateTime={d.createdAt} style={{ whiteSpace: 'nowrap' }}>
                {formatDateTime(d.createdAt)}
              </Text>
            </Table.Td>
            <Table.Td>
              <Group gap={6} wrap="nowrap">
                {d.kind === 'rollback' && (
                  <Badge size="xs" variant="outline" color="orange" tt="none">
                    rollback
                  </Badge>
                )}
                <Text size="sm" fw={500} data-testid="deployment-variant">
                  {d.kind === 'rollback' ? d.modelName : variantText(d, modelsById)}
                </Text>
                {d.sizeBytes !== null && (
                  <Text size="xs" c="dimmed" ff="monospace">
                    {formatBytes(d.sizeBytes)}
                  </Text>
                )}
              </Group>
            </Table.Td>
            <Table.Td>
              <Text size="xs" ff="monospace">
                {d.release ?? (d.kind === 'rollback' ? 'previous' : '—')}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text
                size="sm"
                data-testid="deployment-targets"
                title={d.targets.map((t) => t.deviceName).join(', ')}
              >
                {targetsText(d)}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="xs" c="dimmed" ff="monospace">
                {d.requestedBy}
              </Text>
            </Table.Td>
            <Table.Td>
              <DeploymentStatusBadge status={d.status} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
