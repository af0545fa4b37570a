import { Code, Stack, Table, Text } from '@mantine/core';
import type { ProbeFacts, TensorrtFacts } from '../../../../shared/schemas/fleet';

const dash = '—';

/** Which ONNX runtimes the device has (the benchmark and deploy use them), and how to install one. */
export function DeviceRuntimes({
  runtimes,
  deployRoot,
}: {
  runtimes: ProbeFacts['runtimes'];
  deployRoot: string;
}) {
  return (
    <Stack gap={2}>
      <Text size="sm">
        Python {runtimes.python ?? dash}
        {' · '}
        ONNX Runtime{' '}
        {runtimes.onnxruntime && (
          <span data-testid="facts-ort-python">
            {runtimes.onnxruntime.version} for Python
            <Text span size="xs" c="dimmed">
              {' '}
              ({runtimes.onnxruntime.providers.join(', ') || 'no providers listed'})
            </Text>
          </span>
        )}
        {runtimes.onnxruntime && runtimes.onnxruntimeNode ? ', ' : ''}
        {runtimes.onnxruntimeNode && (
          <span data-testid="facts-ort-node">
            {runtimes.onnxruntimeNode} for Node{' '}
            <Text span size="xs" c="dimmed">
              (in {deployRoot}/runtime)
            </Text>
          </span>
        )}
        {!runtimes.onnxruntime && !runtimes.onnxruntimeNode && (
          <span data-testid="facts-ort-missing">not installed</span>
        )}
      </Text>
      {!runtimes.onnxruntime && !runtimes.onnxruntimeNode && (
        // The same two places the benchmark looks in (and names when it finds none).
        <Text size="xs" c="dimmed">
          Install it for Python (<Code>pip3 install onnxruntime</Code>) or for Node (
          <Code>npm install --prefix {deployRoot}/runtime onnxruntime-node</Code>), then probe again.
        </Text>
      )}
      <Text size="sm">
        Node {runtimes.node ?? dash} · onnxruntime_perf_test {runtimes.perfTest ?? 'not on PATH'}
      </Text>
      <TensorrtLine tensorrt={runtimes.tensorrt ?? null} />
    </Stack>
  );
}

/** TensorRT (Jetson): trtexec, its version, libnvinfer and the accelerators it can build engines for. */
export function TensorrtLine({ tensorrt }: { tensorrt: TensorrtFacts | null }) {
  if (tensorrt === null) {
    return (
      <Text size="sm" data-testid="facts-tensorrt-missing">
        TensorRT {dash} (no trtexec found)
      </Text>
    );
  }
  const count = (n: number | null, one: string) =>
    n === null ? `${one}s unknown` : `${n} ${one}${n === 1 ? '' : 's'}`;
  return (
    <Text size="sm" data-testid="facts-tensorrt">
      TensorRT {tensorrt.version ?? 'version unknown'}
      {' · '}libnvinfer {tensorrt.libnvinfer ?? dash}
      {' · '}
      {count(tensorrt.gpus, 'GPU')}, {count(tensorrt.dlaCores, 'DLA core')}{' '}
      <Text span size="xs" c="dimmed">
        (<span className="fleet-mono">{tensorrt.trtexec}</span>)
      </Text>
    </Text>
  );
}

/** The models found under the deploy root, with their current release and whether its manifest reads. */
export function DeployedModels({
  deployments,
  deployRoot,
}: {
  deployments: ProbeFacts['deployments'];
  deployRoot: string;
}) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        Deployed models under {deployRoot}
      </Text>
      {deployments.length === 0 ? (
        <Text size="xs" c="dimmed" data-testid="facts-deployments-empty">
          None.
        </Text>
      ) : (
        <Table withTableBorder verticalSpacing={4} data-testid="facts-deployments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Model</Table.Th>
              <Table.Th>Current release</Table.Th>
              <Table.Th>Manifest</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {deployments.map((d) => (
              <Table.Tr key={d.model}>
                <Table.Td>{d.model}</Table.Td>
                <Table.Td>
                  <span className="fleet-mono">{d.current ?? dash}</span>
                </Table.Td>
                <Table.Td>
                  {d.error ? (
                    <Text size="xs" c="red">
                      {d.error}
                    </Text>
                  ) : (
                    <Text size="xs" c="dimmed">
                      valid
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
