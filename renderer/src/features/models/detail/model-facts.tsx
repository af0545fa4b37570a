import { Badge, Code, CopyButton, DataList, Group, Text, Tooltip, UnstyledButton } from '@mantine/core';
import type { Model } from '../../../../../shared/schemas/models';
import { formatBytes, formatCount, formatDateTime } from '../../../lib/format';

function Sha({ sha256 }: { sha256: string }) {
  return (
    <CopyButton value={sha256}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : 'Copy SHA-256'}>
          <UnstyledButton
            onClick={copy}
            // Speech users say what they see: the visible hash stays part of the name (WCAG 2.5.3).
            aria-label={`Copy SHA-256 ${sha256}`}
            data-testid="model-sha256"
            // A block keeps the label aligned with the first line when the hash wraps.
            style={{ display: 'block', textAlign: 'left' }}
          >
            <Code style={{ wordBreak: 'break-all' }}>{sha256}</Code>
          </UnstyledButton>
        </Tooltip>
      )}
    </CopyButton>
  );
}

/** File-level facts: where it came from and how to identify it. */
export function OverviewList({ model }: { model: Model }) {
  const { summary } = model;
  return (
    <DataList size="sm" gap={6} labelWidth="110px" data-testid="model-overview-list">
      <DataList.Item>
        <DataList.ItemLabel>File</DataList.ItemLabel>
        <DataList.ItemValue>{model.sourceFileName}</DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>Size</DataList.ItemLabel>
        <DataList.ItemValue>
          {formatBytes(model.sizeBytes)}{' '}
          <Text span size="xs" c="dimmed">
            ({model.sizeBytes.toLocaleString()} bytes)
          </Text>
        </DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>Imported</DataList.ItemLabel>
        <DataList.ItemValue>{formatDateTime(model.importedAt)}</DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>IR version</DataList.ItemLabel>
        <DataList.ItemValue data-testid="model-ir-version">{summary.irVersion}</DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>Producer</DataList.ItemLabel>
        <DataList.ItemValue data-testid="model-producer">
          {summary.producer.name || '—'} {summary.producer.version}
        </DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>Graph</DataList.ItemLabel>
        <DataList.ItemValue>{summary.graphName || '—'}</DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>Opsets</DataList.ItemLabel>
        <DataList.ItemValue>
          <Group gap={4} data-testid="model-opsets">
            {summary.opsets.map((opset) => (
              <Badge key={opset.domain} size="sm" variant="default" tt="none">
                {opset.domain || 'ai.onnx'} {opset.version}
              </Badge>
            ))}
          </Group>
        </DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>SHA-256</DataList.ItemLabel>
        <DataList.ItemValue>
          <Sha sha256={model.sha256} />
        </DataList.ItemValue>
      </DataList.Item>
    </DataList>
  );
}

/** Size of the network and its compute cost. */
export function ComputeList({ model }: { model: Model }) {
  const { summary } = model;
  return (
    <DataList size="sm" gap={6} labelWidth="110px" data-testid="model-compute-list">
      <DataList.Item>
        <DataList.ItemLabel>Parameters</DataList.ItemLabel>
        <DataList.ItemValue data-testid="model-params">
          {formatCount(summary.parameterCount)}{' '}
          <Text span size="xs" c="dimmed">
            ({summary.parameterCount.toLocaleString()})
          </Text>
        </DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>MACs</DataList.ItemLabel>
        <DataList.ItemValue data-testid="model-macs">
          {formatCount(summary.macs)}
          {summary.macsUnknownNodes > 0 && (
            <Text span size="xs" c="orange" data-testid="model-macs-unknown">
              {' '}
              — at least: {summary.macsUnknownNodes}{' '}
              {summary.macsUnknownNodes === 1 ? 'node has' : 'nodes have'} unknown shapes and{' '}
              {summary.macsUnknownNodes === 1 ? 'is' : 'are'} not counted
            </Text>
          )}
        </DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>Weights</DataList.ItemLabel>
        <DataList.ItemValue>{formatBytes(summary.weightBytes)}</DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>Nodes</DataList.ItemLabel>
        <DataList.ItemValue>{summary.nodeCount.toLocaleString()}</DataList.ItemValue>
      </DataList.Item>
    </DataList>
  );
}
