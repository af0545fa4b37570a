import type { ModelProto, NodeProto } from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import { forEachGraph } from '../../onnx';

/** Operators that only appear in a model that is already quantized (QDQ, QOperator or dynamic). */
const QUANTIZED_OP_TYPES = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'MatMulInteger',
  'ConvInteger',
  'QGemm',
  'QAttention',
  'QEmbedLayerNormalization',
  'DynamicQuantizeMatMul',
  'DynamicQuantizeLSTM',
  'MatMulIntegerToFloat',
  'MatMulNBits',
  'GatherBlockQuantized',
]);

export function isQuantizedOp(node: Pick<NodeProto, 'opType'>): boolean {
  return QUANTIZED_OP_TYPES.has(node.opType) || node.opType.startsWith('QLinear');
}

/** Quantized nodes of the model (all graphs), by op type. */
export function quantizedOpCounts(model: ModelProto): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!model.graph) return counts;
  forEachGraph(model.graph, (graph) => {
    for (const node of graph.node)
      if (isQuantizedOp(node)) counts[node.opType] = (counts[node.opType] ?? 0) + 1;
  });
  return counts;
}

/** Throws ALREADY_QUANTIZED when the model holds quantized operators: quantizing twice compounds the error. */
export function assertNotQuantized(model: ModelProto): void {
  const counts = quantizedOpCounts(model);
  const found = Object.entries(counts);
  if (found.length === 0) return;
  const list = found.map(([op, n]) => `${n} ${op}`).join(', ');
  throw new AppError(
    'ALREADY_QUANTIZED',
    `The model is already quantized (${list}): quantize the float model it came from instead.`,
    { ops: counts },
  );
}
