import { Code, Stack, Table, Text } from '@mantine/core';
import type { TensorInfo } from '../../../../../shared/schemas/models';
import { formatShape } from '../../../lib/format';

const wrap = { overflowWrap: 'anywhere' } as const;

/** Inputs or outputs of the graph; symbolic dims keep their names (batch×3×224×224). */
export function TensorTable({
  tensors,
  testId,
  caption,
}: {
  tensors: TensorInfo[];
  testId: string;
  caption: string;
}) {
  // A Stack around the table: in a grid the wrapper stretches, not the table (rows keep their height). miw 0
  // lets the grid cell shrink below the table's natural width; long names and symbolic shapes (PaddleOCR's
  // p2o.DynamicDimension.0) wrap, and what still does not fit scrolls inside the table's own frame.
  return (
    <Stack gap={4} miw={0}>
      <Text size="sm" c="dimmed" id={`${testId}-caption`}>
        {caption}
      </Text>
      {tensors.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid={testId}>
          None.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={280} type="native">
          <Table withTableBorder data-testid={testId} aria-labelledby={`${testId}-caption`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Shape</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tensors.map((tensor) => (
                <Table.Tr key={tensor.name} data-testid="tensor-row">
                  <Table.Td>
                    <Code data-testid="tensor-name" style={wrap}>
                      {tensor.name}
                    </Code>
                  </Table.Td>
                  <Table.Td ff="monospace">{tensor.elemType}</Table.Td>
                  <Table.Td ff="monospace" data-testid="tensor-shape" style={wrap}>
                    {formatShape(tensor.shape)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
