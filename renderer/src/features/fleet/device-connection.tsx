import { Badge, Code, DataList, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Device } from '../../../../shared/schemas/fleet';
import { SectionCard } from '../../components/section-card';
import { formatDateTime } from '../../lib/format';
import { addressOf } from './device-filter';
import { lastCheckLine } from './fleet-format';

/** Long paths and commands wrap inside the drawer instead of pushing its cards wider than the drawer. */
const wrapCode = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' } as const;

function Item({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue data-testid={testId}>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

const none = (
  <Text span size="sm" c="dimmed">
    —
  </Text>
);

/** How the device is reached and deployed to, and when it was added, changed and last checked. */
export function DeviceConnection({ device }: { device: Device }) {
  return (
    <SectionCard title="Connection" testId="detail-connection">
      <DataList size="sm" gap={6} labelWidth="118px">
        <Item label="Address" testId="detail-address">
          <Code style={wrapCode}>{addressOf(device)}</Code>
        </Item>
        <Item label="Authentication" testId="detail-auth">
          {device.authMethod === 'key' ? (
            <>
              key file <Code style={wrapCode}>{device.keyPath}</Code>
            </>
          ) : device.authMethod === 'agent' ? (
            'ssh-agent'
          ) : (
            'password (asked at use, kept in memory only)'
          )}
        </Item>
        <Item label="Jump host">{device.jump ?? none}</Item>
        <Item label="Tags" testId="detail-tags">
          {device.tags.length === 0 ? (
            none
          ) : (
            <Group gap={4}>
              {device.tags.map((t) => (
                <Badge key={t} size="sm" variant="default" tt="none">
                  {t}
                </Badge>
              ))}
            </Group>
          )}
        </Item>
        <Item label="Profile">{device.profile ?? none}</Item>
        <Item label="Deploy root">
          <Code style={wrapCode}>{device.deployRoot}</Code>
        </Item>
        <Item label="Restart command">
          {device.restartCmd ? (
            <Code block style={wrapCode}>
              {device.restartCmd}
            </Code>
          ) : (
            none
          )}
        </Item>
        <Item label="Health check">
          {device.healthCmd ? (
            <Code block style={wrapCode}>
              {device.healthCmd}
            </Code>
          ) : (
            none
          )}
        </Item>
        <Item label="Notes">
          {device.notes ? (
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {device.notes}
            </Text>
          ) : (
            none
          )}
        </Item>
        <Item label="Last check">{device.status ? lastCheckLine(device.status) : none}</Item>
        <Item label="Added">{formatDateTime(device.createdAt)}</Item>
        <Item label="Changed">{formatDateTime(device.updatedAt)}</Item>
      </DataList>
    </SectionCard>
  );
}
