import { Code, Table, Tooltip } from '@mantine/core';
import type { OutputFidelity } from '../../../../shared/schemas/optimize';
import { formatCosine, formatDb, formatPercent, gradeColor, gradeSqnr } from './report-grades';

/** Error figures for each graph output (the cards show the worst one). */
export function OutputTable({ outputs }: { outputs: readonly OutputFidelity[] }) {
  return (
    <Table.ScrollContainer minWidth={420} type="native">
      <Table
        withTableBorder
        data-testid="output-table"
        aria-label="Error per output"
        style={{ whiteSpace: 'nowrap' }}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Output</Table.Th>
            <Table.Th ta="right">SQNR</Table.Th>
            <Table.Th ta="right">Cosine</Table.Th>
            <Table.Th ta="right">
              <Tooltip label="Largest absolute difference from the parent's output">
                <span>Max |err|</span>
              </Tooltip>
            </Table.Th>
            <Table.Th ta="right">
              <Tooltip label="Mean absolute difference from the parent's output">
                <span>Mean |err|</span>
              </Tooltip>
            </Table.Th>
            <Table.Th ta="right">Top-1</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {outputs.map((o) => {
            const grade = gradeSqnr(o.sqnrDb);
            return (
              <Table.Tr key={o.name} data-testid="output-row">
                <Table.Td>
                  <Code>{o.name}</Code>
                </Table.Td>
                <Table.Td
                  ta="right"
                  ff="monospace"
                  c={grade === 'fair' || grade === 'poor' ? `${gradeColor[grade]}.7` : undefined}
                >
                  {formatDb(o.sqnrDb)}
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {formatCosine(o.cosine)}
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {o.maxAbsError.toPrecision(3)}
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {o.meanAbsError.toPrecision(3)}
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {formatPercent(o.top1Agreement)}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
