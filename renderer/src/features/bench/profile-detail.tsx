import { Badge, Group, List, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import type { HardwareProfile } from '../../../../shared/schemas/bench';
import { formatBytes, formatDateTime } from '../../lib/format';

const fieldLabels: Partial<Record<keyof HardwareProfile, string>> = {
  cpuModel: 'CPU',
  cores: 'Cores',
  clockGHz: 'Clock (GHz)',
  features: 'ISA features',
  peakGflopsFp32PerThread: 'FP32 GFLOP/s per thread',
  peakGflopsFp32: 'FP32 GFLOP/s (all cores)',
  peakGopsInt8PerThread: 'INT8 GOP/s per thread',
  peakGopsInt8: 'INT8 GOP/s (all cores)',
  memoryBandwidthGBs: 'Memory bandwidth (GB/s)',
  ramGB: 'RAM (GB)',
  llcMB: 'Last-level cache (MB)',
  typicalPowerW: 'Typical power (W)',
  relativeIpc: 'Relative IPC',
};

const n = (x: number | undefined, digits = 2) =>
  x === undefined ? '—' : Number(x.toFixed(digits)).toString();

/** Every value of a profile with the source it comes from; what was measured, for "this machine". */
export function ProfileDetail({ profile: p }: { profile: HardwareProfile }) {
  const value = (key: keyof HardwareProfile): string => {
    const v = p[key];
    if (Array.isArray(v)) return v.join(' ');
    if (typeof v === 'number') return n(v);
    return typeof v === 'string' ? v : '—';
  };
  const rows = (Object.keys(fieldLabels) as (keyof HardwareProfile)[]).filter((k) => p[k] !== undefined);
  return (
    <Stack gap="sm" data-testid="profile-detail" data-profile-id={p.id}>
      <Group gap="xs">
        <Badge size="sm" variant="light">
          {p.arch}
        </Badge>
        <Text size="xs" c="dimmed" ff="monospace">
          {p.id}
        </Text>
      </Group>
      {p.description && <Text size="sm">{p.description}</Text>}
      {p.clusters && (
        <Text size="xs" data-testid="profile-clusters">
          {p.clusters
            .map(
              (c) =>
                `${c.count}× ${c.core} @ ${c.clockGHz} GHz (${c.fp32FlopsPerCycle} FP32 FLOP, ${c.int8OpsPerCycle} INT8 op per cycle)`,
            )
            .join(' + ')}
        </Text>
      )}
      <Table withTableBorder verticalSpacing={3} data-testid="profile-sources">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Value</Table.Th>
            <Table.Th>Figure</Table.Th>
            <Table.Th>Source</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((key) => (
            <Table.Tr key={key}>
              <Table.Td>{fieldLabels[key]}</Table.Td>
              <Table.Td
                ta={typeof p[key] === 'number' ? 'right' : 'left'}
                ff={typeof p[key] === 'number' ? 'monospace' : undefined}
              >
                {value(key)}
              </Table.Td>
              <Table.Td>
                <Text size="xs" c={p.sources[key] ? undefined : 'dimmed'}>
                  {p.sources[key] ?? '—'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {p.assumptions.length > 0 && (
        <Stack gap={2}>
          <Text size="xs" fw={600}>
            Assumptions
          </Text>
          <List size="xs" spacing={2}>
            {p.assumptions.map((a) => (
              <List.Item key={a}>{a}</List.Item>
            ))}
          </List>
        </Stack>
      )}
      {p.measured && (
        <Stack gap={4} data-testid="profile-measured">
          <Text size="xs" fw={600}>
            Measured with ONNX Runtime {p.measured.ortVersion} on {p.measured.threads} thread
            {p.measured.threads > 1 ? 's' : ''} · {formatDateTime(p.measured.measuredAt)}
          </Text>
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing="xs">
            <Figure label="FP32 MatMul" value={`${n(p.measured.fp32Gflops, 1)} GFLOP/s`} />
            <Figure label="INT8 MatMul" value={`${n(p.measured.int8Gops, 1)} GOP/s`} />
            <Figure label="FP32 conv 3×3" value={`${n(p.measured.fp32ConvGflops, 1)} GFLOP/s`} />
            <Figure label="INT8 conv 3×3" value={`${n(p.measured.int8ConvGops, 1)} GOP/s`} />
            <Figure label="Depthwise conv" value={`${n(p.measured.depthwiseGflops, 1)} GFLOP/s`} />
            <Figure label="Streaming (LLC+)" value={`${n(p.measured.bandwidthGBs, 1)} GB/s`} />
            <Figure
              label="Per kernel / per run"
              value={`${n(p.measured.kernelOverheadUs, 1)} / ${n(p.measured.runOverheadUs, 1)} µs`}
            />
            <Figure label="Runtime baseline" value={formatBytes(p.measured.runtimeBaselineBytes)} />
          </SimpleGrid>
        </Stack>
      )}
    </Stack>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" ff="monospace">
        {value}
      </Text>
    </Stack>
  );
}
