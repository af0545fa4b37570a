import { Badge, Checkbox, Group, Table, Text, Tooltip } from '@mantine/core';
import type { DeviceRelease } from '../../../../shared/schemas/deploy';
import type { Device } from '../../../../shared/schemas/fleet';
import type { Model } from '../../../../shared/schemas/models';
import { coverage, toggleIn, type TargetSelection } from './deploy-form';
import { PlanCell, RunsNow } from './target-cells';
import { planWord, type PlannedDevice } from './target-picker-model';

type TargetRowProps = {
  device: Device;
  selection: TargetSelection;
  onChange: (selection: TargetSelection) => void;
  releases: readonly DeviceRelease[];
  plan: PlannedDevice | undefined;
  modelName: string | undefined;
  modelsById: ReadonlyMap<string, Model>;
  disabled?: boolean | undefined;
};

/** One device: picked by name (its own box), through a tag or "all" (box locked, half-ticked), or not. */
export function TargetRow({
  device,
  selection,
  onChange,
  releases,
  plan,
  modelName,
  modelsById,
  disabled,
}: TargetRowProps) {
  const { byName, byGroup } = coverage(selection, device);
  const picked = byName || byGroup !== null;
  return (
    <Table.Tr
      data-testid="deploy-target-row"
      data-device={device.name}
      data-picked={picked}
      aria-selected={picked}
    >
      <Table.Td>
        <Tooltip label={`Picked through ${byGroup ?? ''}`} disabled={byGroup === null || byName}>
          <Checkbox
            size="xs"
            aria-label={`Deploy to ${device.name}`}
            checked={picked}
            indeterminate={!byName && byGroup !== null}
            onChange={(e) =>
              onChange({
                ...selection,
                devices: toggleIn(selection.devices, device.name, e.currentTarget.checked),
              })
            }
            disabled={disabled || (byGroup !== null && !byName)}
            data-testid="deploy-target-check"
          />
        </Tooltip>
      </Table.Td>
      <Table.Td>
        <Text size="sm" fw={500}>
          {device.name}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="xs" ff="monospace">
          {device.user}@{device.host}:{device.port}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {device.tags.map((t) => (
            <Badge key={t} size="xs" variant="default" tt="none">
              {t}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td data-testid="deploy-target-runs">
        <RunsNow releases={releases} modelName={modelName} modelsById={modelsById} />
      </Table.Td>
      <Table.Td data-testid="deploy-target-plan" data-plan={plan ? planWord(plan) : 'none'}>
        {plan && <PlanCell plan={plan} />}
      </Table.Td>
    </Table.Tr>
  );
}
