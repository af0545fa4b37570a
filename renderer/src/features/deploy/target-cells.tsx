import { Anchor, Badge, Group, Stack, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import type { DeviceRelease } from '../../../../shared/schemas/deploy';
import type { Model } from '../../../../shared/schemas/models';
import { formatBytes } from '../../lib/format';
import { releaseText } from './deploy-labels';
import { fleetLink, planWord, runningFirst, type PlannedDevice } from './target-picker-model';

/** "This deploy": what the preflight preview plans on one picked device. */
export function PlanCell({ plan }: { plan: PlannedDevice }) {
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

/** "Runs now": every model the device runs, with its release. */
export function RunsNow({
  releases,
  modelName,
  modelsById,
}: {
  releases: readonly DeviceRelease[];
  modelName: string | undefined;
  modelsById: ReadonlyMap<string, Model>;
}) {
  const running = runningFirst(releases, modelName);
  if (running.length === 0)
    return (
      <Text size="xs" c="dimmed">
        nothing deployed
      </Text>
    );
  return (
    <Stack gap={0}>
      {running.map((r) => (
        <Text key={r.modelName} size="xs" fw={r.modelName === modelName ? 500 : 400} truncate maw={320}>
          {r.modelName !== modelName || running.length > 1 ? `${r.modelName}: ` : ''}
          {releaseText(r.current, modelsById)}
        </Text>
      ))}
    </Stack>
  );
}
