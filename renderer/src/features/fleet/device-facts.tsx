import { Badge, Code, DataList, Group, Spoiler, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ProbeFacts } from '../../../../shared/schemas/fleet';
import { formatBytes, formatDateTime } from '../../lib/format';
import { DeployedModels, DeviceRuntimes } from './device-runtimes';

const dash = '—';

function Item({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue data-testid={testId}>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

function bytesOf(n: number | null): string {
  return n === null ? dash : formatBytes(n);
}

/** What the last probe found; unknown values show as a dash, never as a guess. */
export function DeviceFacts({ facts, probedAt }: { facts: ProbeFacts; probedAt: string }) {
  const { os, kernel, cpu, memory, disk, runtimes } = facts;
  return (
    <Stack gap="xs">
      <DataList size="sm" gap={6} labelWidth="118px" data-testid="device-facts">
        <Item label="OS" testId="facts-os">
          {os.prettyName ?? os.name ?? dash}
          {os.id && (
            <Text span size="xs" c="dimmed">
              {' '}
              ({os.id}
              {os.versionId ? ` ${os.versionId}` : ''})
            </Text>
          )}
        </Item>
        <Item label="Kernel" testId="facts-kernel">
          {[kernel.name, kernel.release].filter(Boolean).join(' ') || dash}
        </Item>
        <Item label="Architecture" testId="facts-arch-line">
          <span data-testid="facts-arch">{facts.arch ?? dash}</span>
          <Text span size="xs" c="dimmed">
            {' '}
            ({facts.archFamily}
            {facts.userlandBits !== null ? `, ${facts.userlandBits}-bit userland` : ''})
          </Text>
        </Item>
        {facts.hostname && (
          <Item label="Hostname" testId="facts-hostname">
            {facts.hostname}
          </Item>
        )}
        <Item label="CPU" testId="facts-cpu">
          {cpu.model ?? dash}
          {cpu.vendor && (
            <Text span size="xs" c="dimmed">
              {' '}
              · {cpu.vendor}
            </Text>
          )}
          {cpu.board && <Text size="xs">{cpu.board}</Text>}
        </Item>
        <Item label="Cores" testId="facts-cores-line">
          <span data-testid="facts-cores">{cpu.cores ?? dash}</span>
          {cpu.logicalCpus !== null && cpu.logicalCpus !== cpu.cores && (
            <Text span size="xs" c="dimmed">
              {' '}
              (of {cpu.logicalCpus} listed)
            </Text>
          )}
        </Item>
        <Item label="CPU features" testId="facts-features">
          {cpu.features.length === 0 ? (
            dash
          ) : (
            <Group gap={4}>
              {cpu.features.map((f) => (
                <Badge key={f} size="xs" variant="light" tt="none">
                  {f}
                </Badge>
              ))}
            </Group>
          )}
        </Item>
        <Item label="CPU flags" testId="facts-flags">
          {cpu.flags.length === 0 ? (
            dash
          ) : (
            <Spoiler maxHeight={36} showLabel="Show all flags" hideLabel="Show fewer">
              <Text size="xs" ff="monospace" style={{ wordBreak: 'break-word' }}>
                {cpu.flags.join(' ')}
              </Text>
            </Spoiler>
          )}
        </Item>
        <Item label="Memory" testId="facts-memory">
          {bytesOf(memory.availableBytes)} available of {bytesOf(memory.totalBytes)}
        </Item>
        <Item label="Disk" testId="facts-disk">
          {bytesOf(disk.availableBytes)} free of {bytesOf(disk.totalBytes)} at{' '}
          <Code>{disk.probedPath ?? disk.deployRoot}</Code>
          {disk.mountPoint && (
            <Text span size="xs" c="dimmed">
              {' '}
              (mount {disk.mountPoint})
            </Text>
          )}
          {!disk.deployRootExists && (
            <Text size="xs" c="dimmed">
              The deploy root {disk.deployRoot} does not exist yet; this is its nearest existing parent.
            </Text>
          )}
        </Item>
        <Item label="Runtimes" testId="facts-runtimes">
          <DeviceRuntimes runtimes={runtimes} deployRoot={disk.deployRoot} />
        </Item>
        <Item label="Probed" testId="facts-probed-at">
          <time dateTime={probedAt}>{formatDateTime(probedAt)}</time>
        </Item>
      </DataList>

      <DeployedModels deployments={facts.deployments} deployRoot={disk.deployRoot} />

      {facts.warnings.length > 0 && (
        <Stack gap={2} data-testid="facts-warnings">
          <Text size="sm" fw={500}>
            Not found or unreadable
          </Text>
          {facts.warnings.map((w, i) => (
            <Text key={`${i}:${w}`} size="xs" c="dimmed">
              {w}
            </Text>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
