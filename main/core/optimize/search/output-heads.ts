import type { ModelProto, NodeProto } from 'onnx-buf';

/** Ops between a model's last MatMul/Gemm and its output that leave the arg-max where the head put it. */
const HEAD_TAIL_OPS = new Set([
  'Add',
  'Softmax',
  'LogSoftmax',
  'Sigmoid',
  'Reshape',
  'Transpose',
  'Squeeze',
  'Unsqueeze',
  'Flatten',
  'Identity',
]);

/** Names of the MatMul/Gemm nodes that feed a graph output through HEAD_TAIL_OPS only (classifier heads). */
export function outputHeads(model: ModelProto): string[] {
  const graph = model.graph!;
  const producer = new Map<string, NodeProto>();
  for (const n of graph.node) for (const o of n.output) producer.set(o, n);
  const heads = new Set<string>();
  for (const out of graph.output) {
    let node = producer.get(out.name);
    for (let steps = 0; node && steps < 16; steps++) {
      if (node.opType === 'MatMul' || node.opType === 'Gemm') {
        heads.add(node.name);
        break;
      }
      if (!HEAD_TAIL_OPS.has(node.opType)) break;
      // the data input: the first one a node computes (Add's bias is a constant)
      node = node.input.map((i) => producer.get(i)).find((p) => p !== undefined);
    }
  }
  return [...heads];
}
