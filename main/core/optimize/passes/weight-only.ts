/**
 * Conv weights stored as float16 with a Cast back to float32 (ONNX Runtime folds it at load): half the bytes of
 * the convolutions with float compute, so no activation error and no run-time cost. The auto search uses it where
 * static INT8 loses too much and dynamic INT8 (MatMul/Gemm only) leaves the convolutions float. (int8 weights
 * behind a DequantizeLinear were tried: ONNX Runtime keeps the DequantizeLinear at run time, 1.24× slower on
 * PaddleOCR rec.)
 */
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { ClampTally, fitsFloat16, float16WithCast } from './fp16-tensors';
import {
  constantTensors,
  createNameScope,
  isDefaultDomain,
  removeUnusedConstants,
  sortGraph,
} from './graph-edit';

/** Rewrites in place (the caller passes its own copy); returns how many Conv weights were converted. */
export function storeConvWeightsAsFloat16(model: ModelProto): number {
  const graph = model.graph!;
  // Exporters store weights as initializers or as Constant nodes (paddle2onnx).
  const constants = constantTensors(graph);
  const users = new Map<string, number>();
  for (const n of graph.node) for (const i of n.input) users.set(i, (users.get(i) ?? 0) + 1);
  const tally = new ClampTally();
  const names = createNameScope(graph);
  const casts = [];
  const replaced: string[] = [];
  for (const node of graph.node) {
    if (node.opType !== 'Conv' || !isDefaultDomain(node.domain)) continue;
    const weightName = node.input[1] ?? '';
    const w = constants.get(weightName)?.tensor;
    // A weight shared with another node keeps its float form for that node.
    if (!w || w.dataType !== DT.FLOAT || users.get(weightName) !== 1 || !fitsFloat16(w)) continue;
    const { half, cast } = float16WithCast(w, names.unique(`${weightName}_fp32`), names, tally);
    graph.initializer.push(half);
    casts.push(cast);
    node.input[1] = cast.output[0]!;
    replaced.push(weightName);
  }
  if (casts.length === 0) return 0;
  graph.node = [...casts, ...graph.node];
  removeUnusedConstants(graph, replaced);
  sortGraph(graph);
  return casts.length;
}
