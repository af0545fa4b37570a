// Neural-network ONNX ops (NCHW, 2-D spatial) as differentiable tfjs ops.
import type { NodeProto } from 'onnx-buf';
import { getAttrFloat, getAttrInt, getAttrInts, getAttrString } from '../onnx/graph';
import { tf } from './tf';
import { conv2d } from './conv-kernel';
import { matMul2d, maxPool2d } from './dense-kernels';
import { refuse, type OpImpl } from './op-types';

type Pads = { top: number; left: number; bottom: number; right: number };

/** Explicit pads from `pads` or `auto_pad` (SAME_* computes them from the input size, as ONNX does). */
function spatialPads(
  node: NodeProto,
  inHW: readonly [number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
): Pads {
  const autoPad = getAttrString(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = [0, 1].map((i) => {
      const out = Math.ceil(inHW[i]! / strides[i]!);
      const eff = (kernel[i]! - 1) * dilations[i]! + 1;
      return Math.max(0, (out - 1) * strides[i]! + eff - inHW[i]!);
    });
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - small[i]!);
    return autoPad === 'SAME_UPPER'
      ? { top: small[0]!, left: small[1]!, bottom: big[0]!, right: big[1]! }
      : { top: big[0]!, left: big[1]!, bottom: small[0]!, right: small[1]! };
  }
  const p = getAttrInts(node, 'pads') ?? [0, 0, 0, 0];
  if (p.length !== 4) refuse(node, `has ${p.length} pads: only 2-D (4 pads) is supported`);
  return { top: p[0]!, left: p[1]!, bottom: p[2]!, right: p[3]! };
}

const hasPads = (p: Pads) => p.top + p.left + p.bottom + p.right > 0;

function pair(node: NodeProto, name: string, fallback: number): [number, number] {
  const v = getAttrInts(node, name);
  if (!v) return [fallback, fallback];
  if (v.length !== 2) refuse(node, `has ${name} of length ${v.length}: only 2-D is supported`);
  return [v[0]!, v[1]!];
}

const toNhwc = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
const toNchw = (x: tf.Tensor) => tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D;

export const conv: OpImpl = (node, [xIn, wIn, b]) => {
  let x = xIn!;
  let w = wIn!;
  // Conv1D runs as a 2-D convolution of height 1.
  const oneD = x.rank === 3;
  if (oneD) {
    x = tf.expandDims(x, 2);
    w = tf.expandDims(w, 2);
  }
  if (x.rank !== 4 || w.rank !== 4) refuse(node, `has a rank-${xIn!.rank} input: only 1-D and 2-D Conv`);
  const group = getAttrInt(node, 'group', 1);
  const strides = oneD ? ([1, pair(node, 'strides', 1)[0]] as [number, number]) : pair(node, 'strides', 1);
  const dil = oneD ? ([1, pair(node, 'dilations', 1)[0]] as [number, number]) : pair(node, 'dilations', 1);
  const [co, , kh, kw] = w.shape as [number, number, number, number];
  let pads: Pads;
  if (oneD) {
    const p = getAttrInts(node, 'pads') ?? [0, 0];
    pads = { top: 0, bottom: 0, left: p[0] ?? 0, right: p[1] ?? 0 };
  } else {
    pads = spatialPads(node, [x.shape[2]!, x.shape[3]!], [kh, kw], strides, dil);
  }
  let out: tf.Tensor = conv2d(
    x as tf.Tensor4D,
    w as tf.Tensor4D,
    { strides, dilations: dil, pads: [pads.top, pads.left, pads.bottom, pads.right], group },
    b ? tf.reshape(b, [co]) : undefined,
  );
  if (oneD) out = tf.squeeze(out, [2]);
  return [out];
};

/** Max/average pooling; tfjs pools NHWC only, so the input is transposed there and back. */
function pool(kind: 'max' | 'avg'): OpImpl {
  return (node, [x]) => {
    if (x!.rank !== 4) refuse(node, `has a rank-${x!.rank} input: only 2-D pooling`);
    if (getAttrInt(node, 'ceil_mode', 0) !== 0) refuse(node, 'uses ceil_mode=1');
    const kernel = pair(node, 'kernel_shape', 1);
    const strides = pair(node, 'strides', 1);
    const dil = pair(node, 'dilations', 1);
    if (dil[0] !== 1 || dil[1] !== 1) refuse(node, 'uses dilated pooling');
    if (node.output.length > 1 && node.output[1] !== '') refuse(node, 'asks for MaxPool indices');
    const pads = spatialPads(node, [x!.shape[2]!, x!.shape[3]!], kernel, strides, dil);
    const padSpec: [number, number][] = [
      [0, 0],
      [pads.top, pads.bottom],
      [pads.left, pads.right],
      [0, 0],
    ];
    if (kind === 'max') {
      return [
        maxPool2d(x as tf.Tensor4D, {
          kernel,
          strides,
          pads: [pads.top, pads.left, pads.bottom, pads.right],
        }),
      ];
    }
    const nhwc = toNhwc(x!);
    if (!hasPads(pads)) return [toNchw(tf.avgPool(nhwc, kernel, strides, 'valid'))];
    const sum = tf.avgPool(tf.pad(nhwc, padSpec), kernel, strides, 'valid');
    if (getAttrInt(node, 'count_include_pad', 0) === 1) return [toNchw(sum)];
    // Average over the real (unpadded) cells only: divide by the share of each window inside the input.
    const ones = tf.ones([1, x!.shape[2]!, x!.shape[3]!, 1]);
    const share = tf.avgPool(tf.pad(ones, padSpec) as tf.Tensor4D, kernel, strides, 'valid');
    return [toNchw(tf.div(sum, share))];
  };
}

export const maxPool = pool('max');
export const averagePool = pool('avg');

export const globalAveragePool: OpImpl = (_node, [x]) => {
  const axes = Array.from({ length: x!.rank - 2 }, (_, i) => i + 2);
  return [tf.mean(x!, axes, true)];
};

export const globalMaxPool: OpImpl = (_node, [x]) => {
  const axes = Array.from({ length: x!.rank - 2 }, (_, i) => i + 2);
  return [tf.max(x!, axes, true)];
};

/** Inference-mode BatchNormalization: the running statistics are constants, scale and bias train. */
export const batchNormalization: OpImpl = (node, [x, scale, bias, mean, variance]) => {
  if (node.output.length > 1 && node.output.slice(1).some((o) => o !== '')) {
    refuse(node, 'is in training mode (running-statistics outputs)');
  }
  const eps = getAttrFloat(node, 'epsilon', 1e-5);
  const shape = [x!.shape[1]!, ...Array.from({ length: x!.rank - 2 }, () => 1)];
  const r = (t: tf.Tensor) => tf.reshape(t, shape);
  const k = tf.div(r(scale!), tf.sqrt(tf.add(r(variance!), eps)));
  return [tf.add(tf.mul(tf.sub(x!, r(mean!)), k), r(bias!))];
};

export const gemm: OpImpl = (node, [a, b, c]) => {
  const alpha = getAttrFloat(node, 'alpha', 1);
  const beta = getAttrFloat(node, 'beta', 1);
  const transA = getAttrInt(node, 'transA', 0) === 1;
  const transB = getAttrInt(node, 'transB', 0) === 1;
  let y: tf.Tensor =
    a!.dtype === 'float32' && a!.rank === 2 && b!.rank === 2
      ? matMul2d(a as tf.Tensor2D, b as tf.Tensor2D, transA, transB)
      : tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, transA, transB);
  if (alpha !== 1) y = tf.mul(y, alpha);
  if (c) y = tf.add(y, beta === 1 ? c : tf.mul(c, beta));
  return [y];
};

/** numpy matmul semantics: 1-D operands are promoted, batch dimensions broadcast. */
export const matMul: OpImpl = (_node, [aIn, bIn]) => {
  let a = aIn!;
  let b = bIn!;
  const aVec = a.rank === 1;
  const bVec = b.rank === 1;
  if (aVec) a = tf.expandDims(a, 0);
  if (bVec) b = tf.expandDims(b, 1);
  let y: tf.Tensor;
  if (b.rank === 2 && a.rank >= 2 && a.dtype === 'float32') {
    // [..., M, K] × [K, N]: one 2-D product over the flattened leading dimensions.
    const lead = a.shape.slice(0, -1);
    const k = a.shape[a.rank - 1]!;
    y = tf.reshape(matMul2d(tf.reshape(a, [-1, k]) as tf.Tensor2D, b as tf.Tensor2D, false, false), [
      ...lead,
      b.shape[1]!,
    ]);
  } else {
    const rank = Math.max(a.rank, b.rank);
    const lift = (t: tf.Tensor) =>
      t.rank < rank ? tf.reshape(t, [...Array.from({ length: rank - t.rank }, () => 1), ...t.shape]) : t;
    y = tf.matMul(lift(a), lift(b));
  }
  if (aVec) y = tf.squeeze(y, [y.rank - 2]);
  if (bVec) y = tf.squeeze(y, [y.rank - 1]);
  return [y];
};

/** Softmax-like ops; before opset 13 the input is coerced to 2-D at `axis` (default 1), from 13 one axis. */
function softmaxLike(log: boolean): OpImpl {
  return (node, [x], ctx) => {
    const rank = x!.rank;
    const legacy = ctx.opset < 13;
    let axis = getAttrInt(node, 'axis', legacy ? 1 : -1);
    if (axis < 0) axis += rank;
    const fn = (t: tf.Tensor) => (log ? tf.logSoftmax(t) : tf.softmax(t));
    if (legacy) {
      const outer = x!.shape.slice(0, axis).reduce((n, d) => n * d, 1);
      return [tf.reshape(fn(tf.reshape(x!, [outer, -1])), x!.shape)];
    }
    if (axis === rank - 1) return [fn(x!)];
    const perm = Array.from({ length: rank }, (_, i) => i);
    perm[axis] = rank - 1;
    perm[rank - 1] = axis;
    return [tf.transpose(fn(tf.transpose(x!, perm)), perm)];
  };
}

export const softmax = softmaxLike(false);
export const logSoftmax = softmaxLike(true);

/** LayerNormalization over the trailing axes from `axis` (default -1); scale and bias train. */
export const layerNormalization: OpImpl = (node, [x, scale, bias]) => {
  if (node.output.length > 1 && node.output.slice(1).some((o) => o !== '')) {
    refuse(node, 'asks for the mean/inverse-deviation outputs');
  }
  const rank = x!.rank;
  let axis = getAttrInt(node, 'axis', -1);
  if (axis < 0) axis += rank;
  const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
  const eps = getAttrFloat(node, 'epsilon', 1e-5);
  const { mean, variance } = tf.moments(x!, axes, true);
  const y = tf.mul(tf.sub(x!, mean), tf.rsqrt(tf.add(variance, eps)));
  const scaled = tf.mul(y, scale!);
  return [bias ? tf.add(scaled, bias) : scaled];
};
