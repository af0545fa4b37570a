import { Anchor, Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import {
  formatCosine,
  formatDb,
  formatMs,
  formatPercent,
} from '../../components/variant-report/report-grades';
import { formatBytes } from '../../lib/format';
import type { Fidelity, ResultRow, TargetGroup } from './bench-results';
import { latencyText } from './results-format';

/** One variant on one target: latency, memory, whether it fits, fidelity and size. */
export function ResultLine({ row, group }: { row: ResultRow; group: TargetGroup }) {
  const estimated = row.source === 'estimated';
  const correction = row.result.estimate?.correction;
  return (
    <Table.Tr
      data-testid="bench-result-row"
      data-model-id={row.modelId}
      data-target={group.target.id}
      data-source={row.source}
    >
      <Table.Td>
        <Anchor component={Link} to={`/models/${encodeURIComponent(row.modelId)}`} size="sm" fw={500}>
          {row.modelName}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Text size="xs" c={estimated ? 'yellow.8' : 'teal.7'} fw={600} data-testid="bench-row-source">
            {estimated ? 'estimated' : 'measured'}
          </Text>
          {correction && (
            <Tooltip label={`Corrected by ×${correction.factor} from ${correction.basedOn} device run(s)`}>
              <Badge size="xs" variant="light" color="blue">
                corrected
              </Badge>
            </Tooltip>
          )}
          {row.warnings.length > 0 && (
            <Tooltip label={row.warnings.map((w) => w.message).join(' · ')} multiline w={320}>
              <Badge
                size="xs"
                variant="light"
                color="orange"
                tabIndex={0}
                aria-label={`${row.warnings.length} warning(s): ${row.warnings.map((w) => w.code).join(', ')}`}
              >
                {row.warnings.length} note{row.warnings.length > 1 ? 's' : ''}
              </Badge>
            </Tooltip>
          )}
        </Group>
      </Table.Td>
      <Table.Td ta="right" ff="monospace" data-testid="bench-p50">
        {estimated && row.lowMs !== null && row.highMs !== null ? (
          <Tooltip label={`Estimate band ${formatMs(row.lowMs)} – ${formatMs(row.highMs)}`}>
            <span tabIndex={0}>{latencyText(row, row.p50Ms)}</span>
          </Tooltip>
        ) : (
          latencyText(row, row.p50Ms)
        )}
      </Table.Td>
      <Table.Td ta="right" ff="monospace">
        {row.p90Ms === null ? '—' : formatMs(row.p90Ms)}
      </Table.Td>
      <Table.Td ta="right" ff="monospace">
        {row.memoryBytes === null ? '—' : `${estimated ? '≈ ' : ''}${formatBytes(row.memoryBytes)}`}
      </Table.Td>
      <Table.Td>
        <FitsCell row={row} />
      </Table.Td>
      <FidelityCells fidelity={row.fidelity} />
      <Table.Td ta="right" ff="monospace">
        {row.sizeBytes === null ? '—' : formatBytes(row.sizeBytes)}
      </Table.Td>
    </Table.Tr>
  );
}

function FitsCell({ row }: { row: ResultRow }) {
  if (row.source === 'measured') {
    return (
      <Text size="xs" c="dimmed">
        ran
      </Text>
    );
  }
  if (row.fits === null) return <Text size="xs">—</Text>;
  const of = row.ramBytes === null ? '' : ` of ${formatBytes(row.ramBytes)} RAM`;
  return (
    <Tooltip label={`Needs ≈ ${formatBytes(row.memoryBytes ?? 0)}${of}`}>
      <Badge
        size="xs"
        color={row.fits ? 'teal' : 'red'}
        variant="light"
        tabIndex={0}
        data-testid="bench-fits"
      >
        {row.fits ? 'yes' : 'no'}
      </Badge>
    </Tooltip>
  );
}

function FidelityCells({ fidelity }: { fidelity: Fidelity }) {
  if (fidelity.kind !== 'report') {
    return (
      <Table.Td colSpan={3} ta="center">
        <Text size="xs" c="dimmed">
          {fidelity.kind === 'reference' ? 'reference (original)' : 'no report'}
        </Text>
      </Table.Td>
    );
  }
  return (
    <>
      <Table.Td ta="right" ff="monospace">
        {formatDb(fidelity.sqnrDb)}
      </Table.Td>
      <Table.Td ta="right" ff="monospace">
        {formatCosine(fidelity.cosine)}
      </Table.Td>
      <Table.Td ta="right" ff="monospace">
        {formatPercent(fidelity.top1Agreement)}
      </Table.Td>
    </>
  );
}
