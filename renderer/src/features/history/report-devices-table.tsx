import { Anchor, Code, Table, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import type { DeviceResult } from '../../../../shared/schemas/deploy';
import { formatBytes } from '../../lib/format';
import { DeviceStatusBadge } from '../deploy/deploy-badges';
import { formatDuration, stepLabels } from '../deploy/deploy-labels';
import { logToggleText, reportDevices } from './deployment-report-format';
import { ReportLog } from './report-log';

/** Per device of a deployment: result, step reached, bytes, time, releases, and its log on demand. */
export function ReportDevicesTable({ devices }: { devices: readonly DeviceResult[] }) {
  const { sorted, withErrors } = reportDevices(devices);
  // Failures open with their log: that is what someone opening a failed deployment came for.
  const [open, setOpen] = useState<ReadonlySet<string>>(withErrors);
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Table withTableBorder data-testid="report-devices">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Device</Table.Th>
          <Table.Th>Result</Table.Th>
          <Table.Th>Step reached</Table.Th>
          <Table.Th ta="right">Sent</Table.Th>
          <Table.Th ta="right">Time</Table.Th>
          <Table.Th>Release before → after</Table.Th>
          <Table.Th>Log</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sorted.map((d) => {
          const isOpen = open.has(d.deviceId);
          const logId = `report-log-${d.deploymentId}-${d.deviceId}`;
          return (
            <Fragment key={d.deviceId}>
              <Table.Tr data-testid="report-device" data-device={d.deviceName} data-status={d.status}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {d.deviceName}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <DeviceStatusBadge status={d.status} testId="report-device-status" />
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{d.step === null ? '—' : stepLabels[d.step]}</Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="xs" ff="monospace" data-testid="report-bytes" data-bytes={d.bytesSent}>
                    {formatBytes(d.bytesSent)}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="xs" ff="monospace">
                    {formatDuration(d.durationMs)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace" data-testid="report-release">
                    {d.releaseBefore ?? '—'} → {d.releaseAfter ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Anchor
                    component="button"
                    type="button"
                    size="xs"
                    onClick={() => toggle(d.deviceId)}
                    aria-expanded={isOpen}
                    aria-controls={isOpen ? logId : undefined}
                    data-testid="report-log-toggle"
                  >
                    {logToggleText(isOpen, d.log.length)}
                  </Anchor>
                </Table.Td>
              </Table.Tr>
              {(isOpen || d.error) && (
                <Table.Tr>
                  <Table.Td colSpan={7} p={0}>
                    {d.error && (
                      <Text
                        size="xs"
                        px="sm"
                        py={4}
                        c="red.8"
                        data-testid="report-device-error"
                        data-error-code={d.error.code}
                      >
                        <Code>{d.error.code}</Code> {d.error.message}
                      </Text>
                    )}
                    {isOpen && <ReportLog id={logId} device={d} />}
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
