import {
  Checkbox,
  Chip,
  Group,
  ScrollArea,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useDeferredValue, useMemo, useState } from 'react';
import type { DeployPreview, DeviceRelease } from '../../../../shared/schemas/deploy';
import type { Device } from '../../../../shared/schemas/fleet';
import type { Model } from '../../../../shared/schemas/models';
import { countDevices } from '../fleet/fleet-format';
import { tagCounts, toggleIn, type TargetSelection } from './deploy-form';
import { TargetRow } from './target-row';
import { filterDevices, maxTargetRows } from './target-picker-model';

type TargetPickerProps = {
  devices: readonly Device[];
  selection: TargetSelection;
  onChange: (selection: TargetSelection) => void;
  /** What each device runs now (deploy.status), by device id. */
  releases: ReadonlyMap<string, DeviceRelease[]>;
  preview: DeployPreview | undefined;
  modelsById: ReadonlyMap<string, Model>;
  disabled?: boolean;
};

/**
 * Devices to deploy to: all, whole tags, or single devices; each row says what the device runs now and,
 * once picked, what this deploy would do there (from the preflight preview).
 */
export function TargetPicker({
  devices,
  selection,
  onChange,
  releases,
  preview,
  modelsById,
  disabled,
}: TargetPickerProps) {
  const [filter, setFilter] = useState('');
  const text = useDeferredValue(filter.trim().toLowerCase());
  const tags = useMemo(() => tagCounts(devices), [devices]);
  const shown = useMemo(() => filterDevices(devices, text), [devices, text]);
  const planned = useMemo(() => new Map((preview?.devices ?? []).map((d) => [d.deviceId, d])), [preview]);

  return (
    <Stack gap="xs">
      <Group gap="sm" align="center">
        <Checkbox
          size="xs"
          label={`All devices (${devices.length.toLocaleString('en-US')})`}
          checked={selection.all}
          onChange={(e) => onChange({ ...selection, all: e.currentTarget.checked })}
          disabled={disabled}
          data-testid="deploy-target-all"
        />
        {tags.length > 0 && (
          <Group gap={4} role="group" aria-label="Deploy to every device with a tag">
            <Text size="xs" c="dimmed">
              Tags:
            </Text>
            {tags.map(({ tag, count }) => (
              <Chip
                key={tag}
                size="xs"
                checked={selection.tags.includes(tag)}
                onChange={(on) => onChange({ ...selection, tags: toggleIn(selection.tags, tag, on) })}
                disabled={disabled || selection.all}
                data-testid="deploy-target-tag"
                data-tag={tag}
              >
                {tag} ({count})
              </Chip>
            ))}
          </Group>
        )}
        <TextInput
          size="xs"
          ml="auto"
          w={220}
          placeholder="Filter devices"
          aria-label="Filter devices"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          data-testid="deploy-target-filter"
        />
      </Group>

      <ScrollArea.Autosize mah={300} type="auto" offsetScrollbars>
        <Table withTableBorder stickyHeader data-testid="deploy-targets">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36}>
                <VisuallyHidden>Pick</VisuallyHidden>
              </Table.Th>
              <Table.Th>Device</Table.Th>
              <Table.Th>Address</Table.Th>
              <Table.Th>Tags</Table.Th>
              <Table.Th>Runs now</Table.Th>
              <Table.Th>This deploy</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.slice(0, maxTargetRows).map((device) => (
              <TargetRow
                key={device.id}
                device={device}
                selection={selection}
                onChange={onChange}
                releases={releases.get(device.id) ?? []}
                plan={planned.get(device.id)}
                modelName={preview?.modelName}
                modelsById={modelsById}
                disabled={disabled}
              />
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
      {Math.min(shown.length, maxTargetRows) < devices.length && (
        <Text size="xs" c="dimmed" data-testid="deploy-target-shown">
          Showing {Math.min(shown.length, maxTargetRows).toLocaleString('en-US')} of{' '}
          {countDevices(devices.length)}
          {shown.length > maxTargetRows ? ' (type in the filter to find others)' : ''}; the filter only hides
          rows, it does not change what is picked. Tags and “All devices” pick every device they cover.
        </Text>
      )}
    </Stack>
  );
}
