// Element-wise, activation, reduction and shape ONNX ops as tfjs ops. Integer tensors (shapes, indices) are
// int32 in tfjs, which has no int64: shape arithmetic never comes near 2^31.
import { TensorProto_DataType as DT, type NodeProto, type TensorProto } from 'onnx-buf';
import { getAttr, getAttrFloat, getAttrInt, getAttrInts } from '../onnx/graph';
import { tensorToTypedArray } from '../onnx/tensor';
import { tf } from './tf';
import { refuse, type OpImpl } from './op-types';

/** Values of a small integer tensor (shape, axes, starts …) on the host. */
function hostInts(t: tf.Tensor): number[] {
  return Array.from(t.dataSync(), (v) => Number(v));
}

function hostScalar(t: tf.Tensor | undefined, fallback: number): number {
  return t ? Number(t.dataSync()[0]) : fallback;
}

/** Axes from the attribute (older opsets) or the given input (newer ones). */
function axesOf(node: NodeProto, input: tf.Tensor | undefined): number[] | undefined {
  return input ? hostInts(input) : getAttrInts(node, 'axes');
}

const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** ONNX TensorProto → tfjs tensor (float32, int32 for every integer type, bool). */
export function tensorFromProto(t: TensorProto): tf.Tensor {
  const dims = t.dims.map((d) => Number(d));
  const values = tensorToTypedArray(t);
  switch (t.dataType) {
    case DT.FLOAT:
      return tf.tensor(values as Float32Array, dims, 'float32');
    case DT.DOUBLE:
      return tf.tensor(Float32Array.from(values as Float64Array), dims, 'float32');
    case DT.BOOL:
      return tf.tensor(Int32Array.from(values as Uint8Array), dims, 'bool');
    case DT.INT64:
    case DT.UINT64:
      return tf.tensor(
        Int32Array.from(values as BigInt64Array, (v) => clampInt(v)),
        dims,
        'int32',
      );
    case DT.INT32:
    case DT.INT16:
    case DT.INT8:
    case DT.UINT8:
    case DT.UINT16:
      return tf.tensor(Int32Array.from(values as Int32Array), dims, 'int32');
    default:
      throw new Error(`element type ${t.dataType}`);
  }
}

/** int64 → int32, saturating: Slice ends of INT64_MAX mean "to the end" and stay past any real size. */
function clampInt(v: bigint | number): number {
  const n = Number(v);
  return n > 2 ** 31 - 1 ? 2 ** 31 - 1 : n < -(2 ** 31) ? -(2 ** 31) : n;
}

const unary =
  (f: (x: tf.Tensor) => tf.Tensor): OpImpl =>
  (_n, [x]) => [f(x!)];
const binary =
  (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpImpl =>
  (_n, [a, b]) => [f(a!, b!)];

export const basicOps: Record<string, OpImpl> = {
  Add: binary(tf.add),
  Sub: binary(tf.sub),
  Mul: binary(tf.mul),
  Div: binary((a, b) => (a.dtype === 'int32' ? tf.floorDiv(a, b) : tf.div(a, b))),
  Pow: (_n, [a, b]) => {
    // x² through square: pow's exponent gradient takes log(x), NaN for negative x.
    const e = b!.size === 1 ? Number(b!.dataSync()[0]) : null;
    if (e === 2) return [tf.square(a!)];
    if (e === 1) return [a!];
    return [tf.pow(a!, b!)];
  },
  Sqrt: unary(tf.sqrt),
  Exp: unary(tf.exp),
  Log: unary(tf.log),
  Neg: unary(tf.neg),
  Abs: unary(tf.abs),
  Reciprocal: unary(tf.reciprocal),
  Erf: unary(tf.erf),
  Relu: unary(tf.relu),
  Sigmoid: unary(tf.sigmoid),
  Tanh: unary(tf.tanh),
  LeakyRelu: (n, [x]) => [tf.leakyRelu(x!, getAttrFloat(n, 'alpha', 0.01))],
  Identity: unary((x) => x),
  // Inference: Dropout passes its input through (the mask output is not supported).
  Dropout: (n, [x]) => {
    if (n.output.length > 1 && n.output[1] !== '') refuse(n, 'asks for the dropout mask');
    return [x!];
  },
  Clip: (n, [x, lo, hi], ctx) => {
    const min = ctx.opset < 11 ? getAttrFloat(n, 'min', -3.4e38) : hostScalar(lo, -3.4e38);
    const max = ctx.opset < 11 ? getAttrFloat(n, 'max', 3.4e38) : hostScalar(hi, 3.4e38);
    return [tf.clipByValue(x!, min, max)];
  },
  HardSigmoid: (n, [x]) => {
    const alpha = getAttrFloat(n, 'alpha', 0.2);
    const beta = getAttrFloat(n, 'beta', 0.5);
    return [tf.clipByValue(tf.add(tf.mul(x!, alpha), beta), 0, 1)];
  },
  HardSwish: (_n, [x]) => [tf.mul(x!, tf.clipByValue(tf.add(tf.mul(x!, 1 / 6), 0.5), 0, 1))],
  ReduceMean: reduce(tf.mean),
  ReduceSum: reduce(tf.sum),
  ReduceMax: reduce(tf.max),
  Cast: (n, [x]) => {
    const to = getAttrInt(n, 'to', DT.FLOAT);
    if (to === DT.FLOAT || to === DT.DOUBLE || to === DT.FLOAT16) return [tf.cast(x!, 'float32')];
    if (to === DT.BOOL) return [tf.cast(x!, 'bool')];
    return [tf.cast(x!.dtype === 'float32' ? tf.round(x!) : x!, 'int32')];
  },
  Shape: (n, [x]) => {
    const rank = x!.rank;
    const start = norm(getAttrInt(n, 'start', 0), rank);
    const end = getAttr(n, 'end') ? norm(getAttrInt(n, 'end', rank), rank) : rank;
    return [tf.tensor1d(x!.shape.slice(start, end), 'int32')];
  },
  Constant: (n) => {
    const value = getAttr(n, 'value');
    if (value?.t) return [tensorFromProto(value.t)];
    const f = getAttr(n, 'value_float');
    if (f) return [tf.scalar(f.f, 'float32')];
    const fs = getAttr(n, 'value_floats');
    if (fs) return [tf.tensor1d(fs.floats, 'float32')];
    const i = getAttr(n, 'value_int');
    if (i) return [tf.scalar(clampInt(i.i), 'int32')];
    const is = getAttr(n, 'value_ints');
    if (is) return [tf.tensor1d(is.ints.map(clampInt), 'int32')];
    return refuse(n, 'holds a constant kind other than a tensor, float(s) or int(s)');
  },
  Reshape: (n, [x, s]) => {
    const allowZero = getAttrInt(n, 'allowzero', 0) === 1;
    const shape = hostInts(s!).map((d, i) => (d === 0 && !allowZero ? x!.shape[i]! : d));
    return [tf.reshape(x!, shape)];
  },
  Flatten: (n, [x]) => {
    const axis = norm(getAttrInt(n, 'axis', 1), x!.rank);
    const outer = x!.shape.slice(0, axis).reduce((a, d) => a * d, 1);
    return [tf.reshape(x!, [outer, -1])];
  },
  Transpose: (n, [x]) => {
    const perm = getAttrInts(n, 'perm') ?? Array.from({ length: x!.rank }, (_, i) => x!.rank - 1 - i);
    return [tf.transpose(x!, perm)];
  },
  Concat: (n, inputs) => {
    const list = inputs.filter((t): t is tf.Tensor => t !== undefined && t.size > 0);
    const axis = norm(getAttrInt(n, 'axis', 0), inputs[0]!.rank);
    return [list.length === 1 ? list[0]! : tf.concat(list, axis)];
  },
  Squeeze: (n, [x, a]) => {
    const axes = axesOf(n, a)?.map((v) => norm(v, x!.rank));
    return [tf.squeeze(x!, axes)];
  },
  Unsqueeze: (n, [x, a]) => {
    const axes = axesOf(n, a);
    if (!axes) return refuse(n, 'has no axes');
    const rank = x!.rank + axes.length;
    const sorted = axes.map((v) => norm(v, rank)).sort((p, q) => p - q);
    let y = x!;
    for (const axis of sorted) y = tf.expandDims(y, axis);
    return [y];
  },
  Slice: (n, [x, s, e, a, st], ctx) => {
    const rank = x!.rank;
    const starts = ctx.opset < 10 ? (getAttrInts(n, 'starts') ?? []) : hostInts(s!);
    const ends = ctx.opset < 10 ? (getAttrInts(n, 'ends') ?? []) : hostInts(e!);
    const axes =
      (ctx.opset < 10 ? getAttrInts(n, 'axes') : a ? hostInts(a) : undefined) ?? starts.map((_, i) => i);
    const steps = st ? hostInts(st) : starts.map(() => 1);
    const begin = x!.shape.map(() => 0);
    const end = [...x!.shape];
    const stride = x!.shape.map(() => 1);
    axes.forEach((ax, i) => {
      const d = norm(ax, rank);
      const size = x!.shape[d]!;
      if (steps[i]! < 1) refuse(n, 'slices with a negative step');
      const clamp = (v: number) => Math.min(size, Math.max(0, v < 0 ? v + size : v));
      begin[d] = clamp(starts[i]!);
      end[d] = Math.max(begin[d]!, clamp(ends[i]!));
      stride[d] = steps[i]!;
    });
    if (stride.every((v) => v === 1)) {
      return [
        tf.slice(
          x!,
          begin,
          end.map((v, i) => v - begin[i]!),
        ),
      ];
    }
    return [tf.stridedSlice(x!, begin, end, stride)];
  },
  Gather: (n, [x, idx]) => {
    const axis = norm(getAttrInt(n, 'axis', 0), x!.rank);
    const size = x!.shape[axis]!;
    const fixed = tf.tensor(
      Int32Array.from(idx!.dataSync(), (v) => (v < 0 ? v + size : v)),
      idx!.shape,
      'int32',
    );
    return [tf.gather(x!, fixed, axis)];
  },
};

function reduce(f: (x: tf.Tensor, axes?: number[], keep?: boolean) => tf.Tensor): OpImpl {
  return (n, [x, a]) => {
    const keep = getAttrInt(n, 'keepdims', 1) === 1;
    const axes = axesOf(n, a)?.map((v) => norm(v, x!.rank));
    if (axes && axes.length === 0 && getAttrInt(n, 'noop_with_empty_axes', 0) === 1) return [x!];
    return [f(x!, axes && axes.length > 0 ? axes : undefined, keep)];
  };
}
