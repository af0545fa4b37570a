import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import type { VariantTraits } from '../../../../shared/schemas/bench';
import { forEachGraph, tensorDataByteLength, tensorElementCount, valueShapeFromType } from '../../onnx';

/** Operators that only appear in quantized models (QOperator, QDQ, dynamic quantization). */
const int8Ops = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'QLinearConv',
  'QLinearMatMul',
  'MatMulInteger',
  'ConvInteger',
  'QLinearAdd',
  'QLinearMul',
  'QLinearConcat',
  'QLinearSigmoid',
  'QLinearGlobalAveragePool',
  'QLinearAveragePool',
  'QLinearLeakyRelu',
  'QLinearSoftmax',
  'QGemm',
  'QAttention',
  'DynamicQuantizeMatMul',
  'MatMulIntegerToFloat',
  'DynamicQuantizeLSTM',
]);

/**
 * What kind of variant a model is, read from the file as given: int8 when it holds quantization operators,
 * fp16 when weights or inputs are float16. `int8MacFraction` comes from the costed (ORT-optimized) graph.
 */
export function variantTraits(original: ModelProto, macs: number, int8Macs: number): VariantTraits {
  let int8 = false;
  let fp16Bytes = 0;
  let allBytes = 0;
  const graph = original.graph;
  if (graph) {
    forEachGraph(graph, (g) => {
      for (const node of g.node) if (int8Ops.has(node.opType)) int8 = true;
      for (const t of g.initializer) {
        const b = tensorDataByteLength(t.dataType, tensorElementCount(t));
        allBytes += b;
        if (t.dataType === DT.FLOAT16) fp16Bytes += b;
      }
    });
  }
  const fp16Input = (graph?.input ?? []).some((vi) => valueShapeFromType(vi.type).elemType === DT.FLOAT16);
  return {
    int8,
    fp16: fp16Bytes > 0 || fp16Input,
    int8MacFraction: macs > 0 ? Math.min(1, int8Macs / macs) : 0,
    fp16WeightFraction: allBytes > 0 ? fp16Bytes / allBytes : 0,
  };
}
