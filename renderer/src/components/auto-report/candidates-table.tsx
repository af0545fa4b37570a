import { Anchor, Badge, Group, ScrollArea, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { AutoCandidate } from '../../../../shared/schemas/optimize';
import {
  formatCosine,
  formatDb,
  formatPercent,
  formatRatio,
  gradeColor,
  gradeLatencyRatio,
  gradeSizeRatio,
} from '../variant-report/report-grades';

type CandidatesTableProps = {
  candidates: readonly AutoCandidate[];
  /** The variant being looked at (marked "this variant"), e.g. the closest one when none is recommended. */
  currentModelId?: string;
  /** Names of stored variants, for the links (falls back to the id). */
  modelNames?: ReadonlyMap<string, string>;
};

/** Figures stay on one line: a wrapped "100.0 %" reads as two numbers. */
const nowrap = { whiteSpace: 'nowrap' } as const;

const ratioColor = (grade: ReturnType<typeof gradeLatencyRatio>) =>
  grade === 'neutral' || grade === 'good' ? undefined : `${gradeColor[grade]}.7`;

/** Every candidate the search tried, in the order it tried them; the recommended one marked. */
export function CandidatesTable({ candidates, currentModelId, modelNames }: CandidatesTableProps) {
  return (
    <ScrollArea type="auto" offsetScrollbars>
      <Table
        withTableBorder
        highlightOnHover
        fz="xs"
        data-testid="auto-candidates"
        aria-label="Candidates the search tried"
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th
              ta="right"
              style={nowrap}
              title="Median latency against the parent's, measured in the same run"
            >
              Latency ×
            </Table.Th>
            <Table.Th ta="right" style={nowrap}>
              Size ×
            </Table.Th>
            <Table.Th ta="right" style={nowrap}>
              Cosine
            </Table.Th>
            <Table.Th ta="right" style={nowrap}>
              SQNR
            </Table.Th>
            <Table.Th ta="right" style={nowrap}>
              Top-1
            </Table.Th>
            <Table.Th style={nowrap}>Meets goal</Table.Th>
            <Table.Th>Pareto</Table.Th>
            <Table.Th style={nowrap}>Stored as</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {candidates.map((c) => (
            <Table.Tr
              key={c.id}
              data-testid="auto-candidate"
              data-candidate={c.id}
              data-recommended={c.recommended}
              bg={c.recommended ? 'var(--mantine-color-teal-light)' : undefined}
            >
              <Table.Td ff="monospace">{c.id}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Text size="xs" fw={c.recommended ? 600 : undefined} ff="monospace">
                    {c.kind}
                  </Text>
                  {c.recommended && (
                    <Badge size="xs" color="teal" data-testid="auto-recommended-badge">
                      recommended
                    </Badge>
                  )}
                  {c.savedAs !== null && c.savedAs === currentModelId && (
                    <Badge size="xs" variant="outline" color="gray">
                      this variant
                    </Badge>
                  )}
                </Group>
                <Text size="xs" c="dimmed">
                  {c.description}
                </Text>
              </Table.Td>
              <Table.Td
                ta="right"
                ff="monospace"
                c={c.latencyRatio === null ? undefined : ratioColor(gradeLatencyRatio(c.latencyRatio))}
              >
                {c.latencyRatio === null ? '—' : formatRatio(c.latencyRatio)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace" style={nowrap} c={ratioColor(gradeSizeRatio(c.sizeRatio))}>
                {formatRatio(c.sizeRatio)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace" style={nowrap}>
                {formatCosine(c.cosine)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace" style={nowrap}>
                {formatDb(c.sqnrDb)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace" style={nowrap}>
                {formatPercent(c.top1)}
              </Table.Td>
              <Table.Td data-testid="auto-candidate-goal" c={c.meetsGoal ? 'teal.7' : 'red.7'}>
                {c.meetsGoal ? 'yes' : 'no'}
              </Table.Td>
              <Table.Td c={c.pareto ? undefined : 'dimmed'}>{c.pareto ? 'on the front' : '—'}</Table.Td>
              <Table.Td>
                {c.savedAs === null ? (
                  <Text span size="xs" c="dimmed">
                    not stored
                  </Text>
                ) : (
                  <Anchor
                    component={Link}
                    to={`/models/${encodeURIComponent(c.savedAs)}`}
                    size="xs"
                    data-testid="auto-candidate-link"
                  >
                    {modelNames?.get(c.savedAs) ?? c.savedAs}
                  </Anchor>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}
