// Element-wise binary kernels that replace tfjs' CPU ones for float32. tfjs computes every element of a
// broadcast (a per-channel bias, a scale) through index → coordinates → index conversions with array
// allocations; on PaddleOCR rec that was half of a training step (4 s of an 8 s forward + backward). Here
// the dimensions are merged where memory runs in step and the innermost loop walks both operands with a
// fixed stride (0 for a broadcast operand).
import * as tf from '@tensorflow/tfjs-core';

type Code = 0 | 1 | 2 | 3 | 4 | 5;
const kernels: readonly [string, Code][] = [
  ['Add', 0],
  ['Sub', 1],
  ['Multiply', 2],
  ['RealDiv', 3],
  ['Maximum', 4],
  ['Minimum', 5],
];

type Plan = { shape: number[]; sizes: number[]; aStrides: number[]; bStrides: number[] };

/** Output shape and, innermost first, merged loop sizes with each operand's stride (0 = broadcast). */
export function broadcastPlan(aShape: readonly number[], bShape: readonly number[]): Plan {
  const rank = Math.max(aShape.length, bShape.length);
  const a = [...Array<number>(rank - aShape.length).fill(1), ...aShape];
  const b = [...Array<number>(rank - bShape.length).fill(1), ...bShape];
  const shape = a.map((d, i) => {
    const e = b[i]!;
    if (d !== e && d !== 1 && e !== 1) {
      throw new Error(`Operands could not be broadcast together with shapes ${aShape} and ${bShape}.`);
    }
    return d === 1 ? e : d;
  });
  const sizes: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  let as = 1;
  let bs = 1;
  for (let i = rank - 1; i >= 0; i--) {
    const n = shape[i]!;
    if (n === 1) continue;
    const sa = a[i] === 1 ? 0 : as;
    const sb = b[i] === 1 ? 0 : bs;
    const k = sizes.length - 1;
    // Merge into the inner loop when both operands continue it in step.
    if (k >= 0 && sa === aStrides[k]! * sizes[k]! && sb === bStrides[k]! * sizes[k]!) {
      sizes[k]! *= n;
    } else {
      sizes.push(n);
      aStrides.push(sa);
      bStrides.push(sb);
    }
    if (a[i] !== 1) as *= n;
    if (b[i] !== 1) bs *= n;
  }
  if (sizes.length === 0) {
    sizes.push(1);
    aStrides.push(0);
    bStrides.push(0);
  }
  return { shape, sizes, aStrides, bStrides };
}

function row(
  code: Code,
  out: Float32Array,
  o: number,
  n: number,
  a: Float32Array,
  ai: number,
  sa: number,
  b: Float32Array,
  bi: number,
  sb: number,
): void {
  switch (code) {
    case 0:
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! + b[bi + i * sb]!;
      return;
    case 1:
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! - b[bi + i * sb]!;
      return;
    case 2:
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! * b[bi + i * sb]!;
      return;
    case 3:
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! / b[bi + i * sb]!;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa]!;
        const y = b[bi + i * sb]!;
        out[o + i] = Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y;
      }
      return;
    default:
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa]!;
        const y = b[bi + i * sb]!;
        out[o + i] = Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y;
      }
  }
}

export function broadcastBinary(
  code: Code,
  aShape: readonly number[],
  a: Float32Array,
  bShape: readonly number[],
  b: Float32Array,
): { shape: number[]; values: Float32Array } {
  const plan = broadcastPlan(aShape, bShape);
  const { sizes, aStrides, bStrides } = plan;
  const inner = sizes[0]!;
  const total = plan.shape.reduce((x, d) => x * d, 1);
  const out = new Float32Array(total);
  const depth = sizes.length;
  const counter = new Array<number>(depth).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < total; o += inner) {
    row(code, out, o, inner, a, ai, aStrides[0]!, b, bi, bStrides[0]!);
    // Advance the outer counters (odometer) and the operands' offsets with them.
    for (let d = 1; d < depth; d++) {
      ai += aStrides[d]!;
      bi += bStrides[d]!;
      if (++counter[d]! < sizes[d]!) break;
      ai -= aStrides[d]! * sizes[d]!;
      bi -= bStrides[d]! * sizes[d]!;
      counter[d] = 0;
    }
  }
  return { shape: plan.shape, values: out };
}

type CpuBackend = {
  data: { get(id: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
};

let installed = false;

/** Replaces tfjs' CPU binary kernels with the strided ones for float32 (other dtypes keep tfjs' own). */
export function installBroadcastKernels(): void {
  if (installed) return;
  installed = true;
  for (const [name, code] of kernels) {
    const original = tf.getKernel(name, 'cpu');
    if (!original) continue;
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel({
      kernelName: name,
      backendName: 'cpu',
      kernelFunc: (args) => {
        const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
        if (a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
        const backend = args.backend as unknown as CpuBackend;
        const av = backend.data.get(a.dataId).values as Float32Array;
        const bv = backend.data.get(b.dataId).values as Float32Array;
        const r = broadcastBinary(code, a.shape, av, b.shape, bv);
        return backend.makeTensorInfo(r.shape, 'float32', r.values);
      },
    });
  }
}
