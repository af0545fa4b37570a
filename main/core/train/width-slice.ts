// A narrower copy of a plain CNN/MLP for distillation (`--student width:F`): every Conv/Gemm whose output
// channels flow only through channel-wise ops into the next Conv/Gemm keeps its first ⌈F·C⌉ channels, and the
// readers keep the matching input channels. The sliced teacher weights are the student's starting point.
// Deliberately minimal: residual Adds, Concat, Reshape and grouped convs stop a chain (the structured
// pruning pass handles those).
import { TensorProto_DataType as DT, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { AppError } from '../../../shared/errors';
import { cloneModelSharingTensorData } from '../onnx/clone-model';
import { consumerMap, getAttrInt, initializerMap } from '../onnx/graph';
import { inferShapes } from '../onnx/shape-inference';
import { tensorToTypedArray, typedArrayToTensor } from '../onnx/tensor';

/** Ops that act on each channel separately (output channel c depends on input channel c only). */
const channelWise = new Set([
  'Relu',
  'Clip',
  'Sigmoid',
  'Tanh',
  'HardSigmoid',
  'HardSwish',
  'LeakyRelu',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'BatchNormalization',
  'Dropout',
  'Identity',
]);

type WidthSliceResult = {
  model: ModelProto;
  /** Producer nodes narrowed, with channels before → after. */
  sliced: { node: string; from: number; to: number }[];
};

type Reader = { node: NodeProto; spatial: number };

/** Element indices to keep along one axis of a tensor (row-major), as a new TensorProto. */
function sliceAxis(t: TensorProto, axis: number, keep: readonly number[]): TensorProto {
  const dims = t.dims.map((d) => Number(d));
  const src = tensorToTypedArray(t) as Float32Array;
  const outer = dims.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = dims.slice(axis + 1).reduce((a, d) => a * d, 1);
  const out = new Float32Array(outer * keep.length * inner);
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const k of keep) {
      const from = (i * dims[axis]! + k) * inner;
      out.set(src.subarray(from, from + inner), o);
      o += inner;
    }
  }
  dims[axis] = keep.length;
  return typedArrayToTensor(t.name, DT.FLOAT, dims, out);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function sliceWidth(teacher: ModelProto, factor: number): WidthSliceResult {
  if (!(factor > 0 && factor <= 1)) {
    throw new AppError('BAD_REQUEST', `width:${factor} — the width factor must be in (0, 1].`);
  }
  const model = cloneModelSharingTensorData(teacher);
  const graph = model.graph!;
  const inits = initializerMap(graph);
  const consumers = consumerMap(graph);
  const outputs = new Set(graph.output.map((o) => o.name));
  let shapes: Map<string, { shape: (number | string | null)[] | null }>;
  try {
    shapes = inferShapes(model);
  } catch {
    shapes = new Map();
  }
  const isFloatInit = (name: string | undefined) => !!name && inits.get(name)?.dataType === DT.FLOAT;

  /** Out channels of a producer we know how to narrow, else null. */
  const outChannels = (n: NodeProto): number | null => {
    if (n.opType === 'Conv' && getAttrInt(n, 'group', 1) === 1 && isFloatInit(n.input[1])) {
      if (n.input[2] && !isFloatInit(n.input[2])) return null;
      return Number(inits.get(n.input[1]!)!.dims[0]);
    }
    if (n.opType === 'Gemm' && isFloatInit(n.input[1]) && getAttrInt(n, 'transA', 0) === 0) {
      if (n.input[2] && !isFloatInit(n.input[2])) return null;
      const w = inits.get(n.input[1]!)!;
      if (n.input[2] && Number(inits.get(n.input[2])!.dims.at(-1) ?? 1) === 1) return null;
      return Number(w.dims[getAttrInt(n, 'transB', 0) === 1 ? 0 : 1]);
    }
    return null;
  };

  /** Follows a producer's output through channel-wise ops; null when it reaches anything else. */
  const readersOf = (producer: NodeProto): { readers: Reader[]; passThrough: NodeProto[] } | null => {
    const readers: Reader[] = [];
    const passThrough: NodeProto[] = [];
    const stack: { tensor: string; spatial: number }[] = [{ tensor: producer.output[0]!, spatial: 1 }];
    while (stack.length > 0) {
      const { tensor, spatial } = stack.pop()!;
      if (outputs.has(tensor)) return null;
      for (const c of consumers.get(tensor) ?? []) {
        const slot = c.input.indexOf(tensor);
        if (slot !== 0 || c.input.lastIndexOf(tensor) !== 0) return null;
        if (
          (c.opType === 'Conv' && getAttrInt(c, 'group', 1) === 1 && spatial === 1) ||
          c.opType === 'Gemm'
        ) {
          if (!isFloatInit(c.input[1]) || (c.opType === 'Gemm' && getAttrInt(c, 'transA', 0) !== 0))
            return null;
          readers.push({ node: c, spatial });
        } else if (c.opType === 'Flatten' && getAttrInt(c, 'axis', 1) === 1 && spatial === 1) {
          const dims = shapes.get(tensor)?.shape;
          const rest = dims?.slice(2);
          if (!rest || !rest.every((d): d is number => typeof d === 'number')) return null;
          stack.push({ tensor: c.output[0]!, spatial: rest.reduce((a, d) => a * d, 1) });
        } else if (channelWise.has(c.opType) && spatial === 1) {
          if (c.opType === 'BatchNormalization' && !c.input.slice(1, 5).every(isFloatInit)) return null;
          if (c.output.length > 1 && c.output.slice(1).some((o) => o !== '')) return null;
          passThrough.push(c);
          stack.push({ tensor: c.output[0]!, spatial });
        } else {
          return null;
        }
      }
    }
    return readers.length > 0 ? { readers, passThrough } : null;
  };

  const replace = (t: TensorProto) => {
    const i = graph.initializer.findIndex((x) => x.name === t.name);
    graph.initializer[i] = t;
    inits.set(t.name, t);
  };
  const sliced: WidthSliceResult['sliced'] = [];
  // Decide every chain on the unmodified graph first, then cut: a node can be both a reader and a producer.
  const plans = graph.node
    .map((n) => ({ n, c: outChannels(n), r: outChannels(n) === null ? null : readersOf(n) }))
    .filter((p): p is { n: NodeProto; c: number; r: NonNullable<ReturnType<typeof readersOf>> } => !!p.r);
  const shared = new Set<string>();
  const seen = new Set<string>();
  for (const p of plans) {
    for (const name of [p.n.input[1], p.n.input[2]]) {
      if (name && seen.has(name)) shared.add(name);
      if (name) seen.add(name);
    }
  }
  for (const { n, c, r } of plans) {
    if (shared.has(n.input[1]!)) continue;
    const k = Math.max(1, Math.ceil(c * factor));
    if (k >= c) continue;
    const keep = range(k);
    const transB = n.opType === 'Gemm' && getAttrInt(n, 'transB', 0) === 1;
    replace(sliceAxis(inits.get(n.input[1]!)!, n.opType === 'Conv' || transB ? 0 : 1, keep));
    if (n.input[2]) {
      const b = inits.get(n.input[2])!;
      replace(sliceAxis(b, b.dims.length - 1, keep));
    }
    for (const bn of r.passThrough) {
      if (bn.opType !== 'BatchNormalization') continue;
      for (const name of bn.input.slice(1, 5)) replace(sliceAxis(inits.get(name)!, 0, keep));
    }
    for (const { node, spatial } of r.readers) {
      const w = inits.get(node.input[1]!)!;
      const cols = keep.flatMap((ch) => range(spatial).map((s) => ch * spatial + s));
      const axis = node.opType === 'Conv' ? 1 : getAttrInt(node, 'transB', 0) === 1 ? 1 : 0;
      replace(sliceAxis(w, axis, cols));
    }
    sliced.push({ node: n.name || n.output[0]!, from: c, to: k });
  }
  if (sliced.length === 0) {
    throw new AppError(
      'STUDENT_MISMATCH',
      `width:${factor} found no Conv/Gemm chain it can narrow (it handles plain CNNs and MLPs: layers joined ` +
        'only by activations, pooling, BatchNormalization and Flatten). Give a student model file instead.',
    );
  }
  // Declared intermediate shapes are stale now.
  graph.valueInfo = [];
  return { model, sliced };
}
