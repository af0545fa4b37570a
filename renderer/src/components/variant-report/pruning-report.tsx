import { Code, Group, Progress, Stack, Table, Text } from '@mantine/core';
import type { ChannelPruningReport, PruningReport as Report } from '../../../../shared/schemas/prune';
import { formatBytes } from '../../lib/format';
import { SectionCard } from '../section-card';

const millions = (n: number | null) => (n === null ? '–' : `${(n / 1e6).toFixed(2)} M`);
const share = (a: number, b: number) => (b === 0 ? '–' : `${((a / b) * 100).toFixed(1)} %`);

/** What a pruning pass removed: totals, the layers it changed, and the sensitivity of each group when scanned. */
export function PruningReport({ pruning }: { pruning: Report }) {
  if (pruning.kind === 'weights') {
    const { dense, pruned } = pruning.sizeBytes;
    const z = (v: number | null) => (v === null ? 'n/a' : formatBytes(v));
    return (
      <SectionCard title="Weight pruning" testId="pruning-card">
        <Text size="sm" data-testid="pruning-summary">
          {(pruning.overallSparsity * 100).toFixed(1)} % of the weights are zero ({pruning.scope}). File{' '}
          {formatBytes(pruned.plain)}; compressed gzip {formatBytes(dense.gzip)} → {formatBytes(pruned.gzip)},
          zstd {z(dense.zstd)} → {z(pruned.zstd)}. No speed-up in ONNX Runtime on CPU.
        </Text>
        <Table withTableBorder data-testid="pruning-layers" style={{ whiteSpace: 'nowrap' }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Layer</Table.Th>
              <Table.Th ta="right">Weights</Table.Th>
              <Table.Th ta="right">Sparsity</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {pruning.layers.map((l) => (
              <Table.Tr key={l.tensor}>
                <Table.Td>
                  <Code>{l.node}</Code>
                </Table.Td>
                <Table.Td ta="right">{l.params}</Table.Td>
                <Table.Td ta="right">
                  {l.skipped ? `skipped (${l.skipped})` : `${(l.sparsity * 100).toFixed(1)} %`}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </SectionCard>
    );
  }
  const t = pruning.totals;
  const changed = pruning.layers.filter(
    (l) => l.channelsAfter !== l.channelsBefore || l.inputsAfter !== l.inputsBefore,
  );
  const scanned = pruning.groups.filter((g) => g.sensitivityDb !== null);
  const maxDb = Math.max(1, ...scanned.map((g) => g.sensitivityDb!));
  return (
    <SectionCard title="Channel pruning" testId="pruning-card">
      <Text size="sm" data-testid="pruning-summary">
        {pruning.groups.length} channel groups pruned ({pruning.importance}), {pruning.blocked.length} kept
        whole. MACs {millions(t.macsBefore)} → {millions(t.macsAfter)} ({share(t.macsAfter, t.macsBefore)});
        parameters {t.paramsBefore} → {t.paramsAfter} ({share(t.paramsAfter, t.paramsBefore)}).
      </Text>
      {pruning.latency && <LatencySummary pruning={pruning} />}
      {scanned.length > 0 && (
        <Stack gap={4} data-testid="sensitivity-chart">
          <Text size="xs" c="dimmed">
            Sensitivity: output SQNR with each group pruned alone (shorter bar = more sensitive, pruned less)
          </Text>
          {scanned.map((g) => (
            <Group key={g.producers.join()} gap="xs" wrap="nowrap">
              <Text size="xs" w={220} truncate>
                {g.producers[0]}
                {g.producers.length > 1 ? ` +${g.producers.length - 1}` : ''}
              </Text>
              <Progress value={(100 * g.sensitivityDb!) / maxDb} w={160} size="sm" />
              <Text size="xs" ff="monospace">
                {g.sensitivityDb!.toFixed(1)} dB · {g.channelsBefore} → {g.channelsAfter}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
      <Table.ScrollContainer minWidth={520} type="native">
        <Table withTableBorder data-testid="pruning-layers" style={{ whiteSpace: 'nowrap' }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Layer</Table.Th>
              <Table.Th ta="right">Out channels</Table.Th>
              <Table.Th ta="right">In channels</Table.Th>
              <Table.Th ta="right">MACs</Table.Th>
              <Table.Th ta="right">Parameters</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {changed.map((l) => (
              <Table.Tr key={l.node} data-testid="pruning-layer-row">
                <Table.Td>
                  <Code>{l.node}</Code>
                </Table.Td>
                <Table.Td ta="right">
                  {l.channelsBefore} → {l.channelsAfter}
                </Table.Td>
                <Table.Td ta="right">
                  {l.inputsBefore} → {l.inputsAfter}
                </Table.Td>
                <Table.Td ta="right">
                  {millions(l.macsBefore)} → {millions(l.macsAfter)}
                </Table.Td>
                <Table.Td ta="right">
                  {l.paramsBefore} → {l.paramsAfter}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </SectionCard>
  );
}

/** Latency-aware runs: which plan was kept, and the time each group saved on this machine when pruned alone. */
function LatencySummary({ pruning }: { pruning: ChannelPruningReport }) {
  const l = pruning.latency!;
  const timed = pruning.groups.filter((g) => g.latencySavedMs !== null && g.channelsAfter < g.channelsBefore);
  return (
    <Stack gap={4} data-testid="latency-allocation">
      <Text size="sm">
        {l.allocation === 'latency-aware'
          ? `Latency-aware: ${l.measurements} channel counts timed on this machine; this plan runs in ${Math.round(l.againstUniform * 100)} % of the uniform plan's time.`
          : `Latency-aware: ${l.measurements} channel counts timed, but no plan was 3 % faster than the uniform share (${Math.round(l.againstUniform * 100)} %), so the uniform share was kept.`}
      </Text>
      {timed.map((g) => (
        <Text key={g.producers.join()} size="xs" ff="monospace">
          {g.producers[0]}
          {g.producers.length > 1 ? ` +${g.producers.length - 1}` : ''}: {g.channelsBefore} →{' '}
          {g.channelsAfter}, {(g.latencySavedMs! * 1000).toFixed(0)} µs saved alone (of{' '}
          {(l.baseMs * 1000).toFixed(0)} µs)
        </Text>
      ))}
    </Stack>
  );
}
