import { Anchor, Badge, Checkbox, Divider, Group, ScrollArea, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { HardwareProfile } from '../../../../shared/schemas/bench';
import type { Device } from '../../../../shared/schemas/fleet';

type TargetPickerProps = {
  local: boolean;
  profileIds: readonly string[];
  deviceNames: readonly string[];
  profiles: readonly HardwareProfile[] | undefined;
  devices: readonly Device[] | undefined;
  onChange: (patch: { local?: boolean; profileIds?: string[]; deviceNames?: string[] }) => void;
  disabled?: boolean;
};

/** Where to run: this machine (measured), hardware profiles (estimated), fleet devices (measured over SSH). */
export function TargetPicker({
  local,
  profileIds,
  deviceNames,
  profiles,
  devices,
  onChange,
  disabled,
}: TargetPickerProps) {
  const toggle = (list: readonly string[], id: string, on: boolean) =>
    on ? [...list.filter((x) => x !== id), id] : list.filter((x) => x !== id);
  // Keep the catalog's order whatever the click order was.
  const inCatalogOrder = (ids: string[]) =>
    (profiles ?? []).map((p) => p.id).filter((id) => ids.includes(id));
  return (
    <Stack gap={6}>
      <Checkbox
        size="xs"
        checked={local}
        onChange={(e) => onChange({ local: e.currentTarget.checked })}
        disabled={disabled}
        label={
          <Group gap={6}>
            <Text size="sm" fw={500}>
              This machine
            </Text>
            <Badge size="xs" color="teal" variant="light">
              measured
            </Badge>
          </Group>
        }
        description="ONNX Runtime in a child process, one per variant"
        data-testid="bench-target-local"
      />

      <Divider
        label={
          <Group gap={6}>
            <Text size="xs">Hardware profiles</Text>
            <Badge size="xs" color="yellow" variant="outline">
              estimated
            </Badge>
          </Group>
        }
        labelPosition="left"
      />
      <Group gap="xs" justify="space-between">
        <Text size="xs" c="dimmed">
          Roofline estimate, calibrated on this machine (±35 %)
        </Text>
        <Group gap="xs">
          <Anchor
            component="button"
            type="button"
            size="xs"
            onClick={() => onChange({ profileIds: (profiles ?? []).map((p) => p.id) })}
            disabled={disabled}
          >
            All
          </Anchor>
          <Anchor
            component="button"
            type="button"
            size="xs"
            onClick={() => onChange({ profileIds: [] })}
            disabled={disabled}
          >
            None
          </Anchor>
        </Group>
      </Group>
      {/* The catalog is short: listed in full, so the panel has one scroll box (devices) at most, not two. */}
      <Stack gap={4} role="group" aria-label="Hardware profiles to estimate on">
        {(profiles ?? []).map((p) => (
          <Checkbox
            key={p.id}
            size="xs"
            checked={profileIds.includes(p.id)}
            onChange={(e) =>
              onChange({ profileIds: inCatalogOrder(toggle(profileIds, p.id, e.currentTarget.checked)) })
            }
            disabled={disabled}
            label={
              <Group gap={6} wrap="nowrap">
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {p.name}
                </Text>
                {p.origin === 'user' && (
                  <Badge size="xs" variant="light" color="grape">
                    yours
                  </Badge>
                )}
              </Group>
            }
            description={`${p.cores} cores · ${p.clockGHz} GHz · ${Math.round(p.peakGflopsFp32)} GFLOP/s · ${p.ramGB} GB`}
            aria-label={p.name}
            data-testid={`bench-profile-${p.id}`}
          />
        ))}
      </Stack>

      <Divider
        label={
          <Group gap={6}>
            <Text size="xs">Devices</Text>
            <Badge size="xs" color="teal" variant="light">
              measured over SSH
            </Badge>
          </Group>
        }
        labelPosition="left"
      />
      {devices && devices.length === 0 && (
        <Text size="xs" c="dimmed" data-testid="bench-no-devices">
          No devices yet.{' '}
          <Anchor component={Link} to="/fleet" size="xs">
            Add one on the Fleet page
          </Anchor>{' '}
          to measure on real hardware.
        </Text>
      )}
      {devices && devices.length > 0 && (
        <ScrollArea.Autosize mah={200} type="auto" offsetScrollbars="y" scrollbars="y">
          <Stack gap={4} role="group" aria-label="Devices to measure on">
            {devices.map((d) => (
              <Checkbox
                key={d.id}
                size="xs"
                checked={deviceNames.includes(d.name)}
                onChange={(e) =>
                  onChange({ deviceNames: toggle(deviceNames, d.name, e.currentTarget.checked) })
                }
                disabled={disabled || d.hostKey === null}
                label={d.name}
                description={deviceDescription(d)}
                data-testid={`bench-device-${d.name}`}
              />
            ))}
          </Stack>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}

function deviceDescription(d: Device): string {
  if (d.hostKey === null) return 'host key not trusted yet: trust it on the Fleet page first';
  const facts = d.probe?.facts;
  const runtime = facts
    ? [
        facts.runtimes.onnxruntime ? `onnxruntime ${facts.runtimes.onnxruntime.version} (python)` : null,
        facts.runtimes.node ? `node ${facts.runtimes.node}` : null,
        facts.runtimes.perfTest ? 'onnxruntime_perf_test' : null,
      ]
        .filter((x) => x !== null)
        .join(', ') || 'no runtime found by the last probe'
    : 'not probed yet (probed when the run starts)';
  return `${d.user}@${d.host}${d.profile ? ` · profile ${d.profile}` : ''} · ${runtime}`;
}
