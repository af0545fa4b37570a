import { Anchor, Badge, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { Fragment } from 'react';
import { Link } from 'react-router';
import {
  formatCosine,
  formatDb,
  formatMs,
  formatPercent,
} from '../../components/variant-report/report-grades';
import { formatBytes, formatDateTime } from '../../lib/format';
import type { Fidelity, ResultRow, TargetGroup } from './bench-results';

/** Measured figures are solid; estimated ones say so on every row, with their band. */
export function SourceBadge({ group }: { group: Pick<TargetGroup, 'source' | 'badge'> }) {
  return group.source === 'measured' ? (
    <Badge size="sm" color="teal" variant="light" data-testid="bench-source-badge" data-source="measured">
      {group.badge}
    </Badge>
  ) : (
    <Badge
      size="sm"
      color="yellow"
      variant="outline"
      data-testid="bench-source-badge"
      data-source="estimated"
    >
      {group.badge}
    </Badge>
  );
}

const columns = 10;

/** Variants × targets: one block of rows per target, this machine first. */
export function ResultsTable({ groups }: { groups: readonly TargetGroup[] }) {
  return (
    <Table.ScrollContainer minWidth={880}>
      <Table withTableBorder data-testid="bench-results-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Variant</Table.Th>
            <Table.Th>Source</Table.Th>
            <Table.Th ta="right">p50</Table.Th>
            <Table.Th ta="right">p90</Table.Th>
            <Table.Th ta="right">Memory</Table.Th>
            <Table.Th>Fits?</Table.Th>
            <Table.Th ta="right">SQNR</Table.Th>
            <Table.Th ta="right">Cosine</Table.Th>
            <Table.Th ta="right">Top-1</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {groups.map((group) => (
            <Fragment key={group.key}>
              <Table.Tr
                data-testid="bench-target-row"
                data-target={group.target.id}
                bg="var(--mantine-color-default-hover)"
              >
                <Table.Td colSpan={columns}>
                  <Group gap="xs">
                    <Text size="sm" fw={600}>
                      {group.target.kind === 'local'
                        ? 'This machine'
                        : group.target.kind === 'device'
                          ? group.target.id
                          : group.target.label}
                    </Text>
                    <SourceBadge group={group} />
                    <Text size="xs" c="dimmed">
                      {groupMeta(group)}
                    </Text>
                  </Group>
                </Table.Td>
              </Table.Tr>
              {group.rows.map((row) => (
                <ResultLine key={row.result.id} row={row} group={group} />
              ))}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function groupMeta(group: TargetGroup): string {
  const first = group.rows[0]?.result;
  if (!first) return '';
  const when = formatDateTime(first.createdAt);
  return group.source === 'measured'
    ? `${first.runtime} ${first.ortVersion} · ${first.settings.threads} thread${first.settings.threads > 1 ? 's' : ''} · ${first.measured?.latency.iterations ?? '?'} runs · ${when}`
    : `${first.settings.threads} thread${first.settings.threads > 1 ? 's' : ''} · ORT ${first.ortVersion} graph · ${when}`;
}

function ResultLine({ row, group }: { row: ResultRow; group: TargetGroup }) {
  const estimated = row.source === 'estimated';
  const approx = (ms: number | null) => (ms === null ? '—' : `${estimated ? '≈ ' : ''}${formatMs(ms)}`);
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
            <span tabIndex={0}>{approx(row.p50Ms)}</span>
          </Tooltip>
        ) : (
          approx(row.p50Ms)
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

/** Estimate warnings of all rows, once each: what they mean in practice. */
export function ResultNotes({ groups }: { groups: readonly TargetGroup[] }) {
  const seen = new Map<string, { message: string; targets: Set<string> }>();
  for (const g of groups) {
    for (const row of g.rows) {
      for (const w of row.warnings) {
        const entry = seen.get(w.message) ?? { message: w.message, targets: new Set<string>() };
        entry.targets.add(g.target.label);
        seen.set(w.message, entry);
      }
    }
  }
  if (seen.size === 0) return null;
  return (
    <Stack gap={2} data-testid="bench-notes">
      {[...seen.values()].map((n) => (
        <Text key={n.message} size="xs" c="dimmed">
          <Text span size="xs" fw={600}>
            {[...n.targets].join(', ')}:
          </Text>{' '}
          {n.message}
        </Text>
      ))}
    </Stack>
  );
}
