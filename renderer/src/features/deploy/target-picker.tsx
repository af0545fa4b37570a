import {
  Anchor,
  Badge,
  Checkbox,
  Chip,
  Group,
  ScrollArea,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDeferredValue, useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { DeployPreview, DeviceRelease } from '../../../../shared/schemas/deploy';
import type { Device } from '../../../../shared/schemas/fleet';
import type { Model } from '../../../../shared/schemas/models';
import { formatBytes } from '../../lib/format';
import { countDevices } from '../fleet/fleet-format';
import { coverage, tagCounts, toggleIn, type TargetSelection } from './deploy-form';
import { releaseText } from './deploy-labels';

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

/** Rows drawn at once: a fleet of thousands is picked by tag or "all", single devices through the filter. */
const maxRows = 300;

export function fleetLink(deviceId: string): string {
  return `/fleet?device=${encodeURIComponent(deviceId)}`;
}

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
  const shown = useMemo(
    () =>
      text === ''
        ? devices
        : devices.filter(
            (d) =>
              d.name.toLowerCase().includes(text) ||
              d.host.toLowerCase().includes(text) ||
              d.tags.some((t) => t.toLowerCase().includes(text)),
          ),
    [devices, text],
  );
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
            {shown.slice(0, maxRows).map((device) => {
              const { byName, byGroup } = coverage(selection, device);
              const picked = byName || byGroup !== null;
              const plan = planned.get(device.id);
              const label = `Deploy to ${device.name}`;
              return (
                <Table.Tr
                  key={device.id}
                  data-testid="deploy-target-row"
                  data-device={device.name}
                  data-picked={picked}
                  aria-selected={picked}
                >
                  <Table.Td>
                    <Tooltip label={`Picked through ${byGroup ?? ''}`} disabled={byGroup === null || byName}>
                      <Checkbox
                        size="xs"
                        aria-label={label}
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
                    <RunsNow
                      releases={releases.get(device.id) ?? []}
                      modelName={preview?.modelName}
                      modelsById={modelsById}
                    />
                  </Table.Td>
                  <Table.Td data-testid="deploy-target-plan" data-plan={plan ? planWord(plan) : 'none'}>
                    {plan && <PlanCell plan={plan} />}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
      {Math.min(shown.length, maxRows) < devices.length && (
        <Text size="xs" c="dimmed" data-testid="deploy-target-shown">
          Showing {Math.min(shown.length, maxRows).toLocaleString('en-US')} of {countDevices(devices.length)}
          {shown.length > maxRows ? ' (type in the filter to find others)' : ''}; the filter only hides rows,
          it does not change what is picked. Tags and “All devices” pick every device they cover.
        </Text>
      )}
    </Stack>
  );
}

type PlannedDevice = DeployPreview['devices'][number];

function planWord(plan: PlannedDevice): 'untrusted' | 'unchanged' | 'deploy' {
  if (!plan.trusted) return 'untrusted';
  return plan.unchanged ? 'unchanged' : 'deploy';
}

function PlanCell({ plan }: { plan: PlannedDevice }) {
  const word = planWord(plan);
  const notes = plan.notes.join(' ');
  return (
    <Group gap={6} wrap="nowrap">
      {word === 'untrusted' ? (
        // The warning is in the words' colour; the link keeps the one colour every link has.
        <Text size="xs" c="orange.8">
          not trusted —{' '}
          <Anchor component={Link} to={fleetLink(plan.deviceId)} inherit c="var(--mantine-color-anchor)">
            trust on Fleet
          </Anchor>
        </Text>
      ) : word === 'unchanged' ? (
        <Text size="xs" c="dimmed">
          unchanged (already runs it)
        </Text>
      ) : (
        <Text size="xs">will deploy</Text>
      )}
      {plan.freeDiskBytes !== null && (
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatBytes(plan.freeDiskBytes)} free
        </Text>
      )}
      {word === 'deploy' && notes !== '' && (
        <Tooltip label={notes} multiline w={300}>
          <Badge size="xs" color="yellow" variant="light" tt="none" tabIndex={0}>
            {plan.notes.length === 1 ? 'note' : `${plan.notes.length} notes`}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

function RunsNow({
  releases,
  modelName,
  modelsById,
}: {
  releases: readonly DeviceRelease[];
  modelName: string | undefined;
  modelsById: ReadonlyMap<string, Model>;
}) {
  const running = releases.filter((r) => r.current !== null);
  if (running.length === 0)
    return (
      <Text size="xs" c="dimmed">
        nothing deployed
      </Text>
    );
  // The model being deployed first: that is the line the deploy changes.
  const ordered = [...running].sort(
    (a, b) => Number(b.modelName === modelName) - Number(a.modelName === modelName),
  );
  return (
    <Stack gap={0}>
      {ordered.map((r) => (
        <Text key={r.modelName} size="xs" fw={r.modelName === modelName ? 500 : 400} truncate maw={320}>
          {r.modelName !== modelName || running.length > 1 ? `${r.modelName}: ` : ''}
          {releaseText(r.current, modelsById)}
        </Text>
      ))}
    </Stack>
  );
}
