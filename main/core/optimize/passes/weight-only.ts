/**
 * Smaller Conv weights with float compute: activations stay float, so there is no calibration error. The auto
 * search uses it where static INT8 loses too much and dynamic INT8 (MatMul/Gemm only) leaves the
 * convolutions float.
 */
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { inferShapes, makeNode, typedArrayToTensor } from '../../onnx';
import { upgradeOpset } from '../preprocess';
import { ClampTally, float16Copy } from './fp16-tensors';
import { quantizeWeightPerChannel, quantizeWeightPerTensor } from '../quant';
import {
  constantTensors,
  createNameScope,
  dimsOf,
  isDefaultDomain,
  opsetVersion,
  readFloat32,
  removeUnusedConstants,
  sortGraph,
} from './graph-edit';

/**
 * Rewrites in place (the caller passes its own copy); returns how many Conv weights were converted.
 * 'int8': per-channel int8 + DequantizeLinear (ONNX Runtime keeps the DequantizeLinear at run time: smaller,
 * but slower on CPU). 'fp16': float16 + Cast, which ONNX Runtime folds at load: half the bytes, no run-time cost.
 */
export function compressConvWeights(model: ModelProto, storage: 'int8' | 'fp16'): number {
  const graph = model.graph!;
  // Exporters store weights as initializers or as Constant nodes (paddle2onnx).
  const constants = constantTensors(graph);
  const users = new Map<string, number>();
  for (const n of graph.node) for (const i of n.input) users.set(i, (users.get(i) ?? 0) + 1);
  // Per-channel DequantizeLinear needs opset 13: raised when that is safe, else one scale per weight.
  const perChannel =
    storage === 'int8' && ((opsetVersion(model) ?? 1) >= 13 || upgradeOpset(model, inferShapes(model)).ok);
  const tally = new ClampTally();
  const names = createNameScope(graph);
  const added = [];
  const replaced: string[] = [];
  for (const node of graph.node) {
    if (node.opType !== 'Conv' || !isDefaultDomain(node.domain)) continue;
    const w = constants.get(node.input[1] ?? '')?.tensor;
    // A weight shared with another node keeps its float form for that node.
    if (!w || w.dataType !== DT.FLOAT || users.get(node.input[1]!) !== 1) continue;
    const dims = dimsOf(w);
    const weightName = node.input[1]!;
    const values = readFloat32(w);
    if (storage === 'fp16') {
      if (values.some((v) => Math.abs(v) > 65504)) continue;
      const half = float16Copy(w, names.unique(`${weightName}_fp16`), tally);
      graph.initializer.push(half);
      const out = names.unique(`${weightName}_fp32`);
      added.push(
        makeNode('Cast', [half.name], [out], { to: DT.FLOAT }, { name: names.unique(`${weightName}_Cast`) }),
      );
      node.input[1] = out;
      replaced.push(weightName);
      continue;
    }
    const q = perChannel
      ? quantizeWeightPerChannel(values, dims, 0, 'int8', true)
      : (() => {
          const t = quantizeWeightPerTensor(values, 'int8', true);
          return { data: t.data, scales: Float32Array.of(t.scale), zeroPoints: Int8Array.of(t.zeroPoint) };
        })();
    const qDims = perChannel ? [q.scales.length] : [];
    const base = names.unique(`${weightName}_int8`);
    const scale = names.unique(`${weightName}_scale`);
    const zero = names.unique(`${weightName}_zero_point`);
    const out = names.unique(`${weightName}_dequantized`);
    graph.initializer.push(
      typedArrayToTensor(base, DT.INT8, dims, q.data),
      typedArrayToTensor(scale, DT.FLOAT, qDims, q.scales),
      typedArrayToTensor(zero, DT.INT8, qDims, q.zeroPoints),
    );
    added.push(
      makeNode('DequantizeLinear', [base, scale, zero], [out], perChannel ? { axis: 0 } : {}, {
        name: names.unique(`${w.name}_DequantizeLinear`),
      }),
    );
    node.input[1] = out;
    replaced.push(weightName);
  }
  if (added.length === 0) return 0;
  graph.node = [...added, ...graph.node];
  removeUnusedConstants(graph, replaced);
  sortGraph(graph);
  return added.length;
}
