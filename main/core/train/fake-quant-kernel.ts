// Fake quantization as one loop per tensor, with its straight-through gradient. Built from tfjs ops it took
// six tensors per quantizer and as many backward ops (divide, round, add, clip …): QAT of PaddleOCR rec ran
// at less than half the speed of the float model. ONNX Runtime rounds half to even; so does this.
import { tf } from './tf';

export type FakeQuantSpec = {
  /** Per-axis scale and zero point (one value: per tensor). */
  scale: Float32Array;
  zeroPoint: Float32Array;
  /** Axis the per-axis values run along (ignored per tensor). */
  axis: number;
  qmin: number;
  qmax: number;
};

/** Round half to even, as QuantizeLinear does. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Element i of a tensor of `shape` reads per-axis value ⌊i / inner⌋ mod size (size 1: per tensor). */
function channelLayout(shape: readonly number[], spec: FakeQuantSpec): { inner: number; size: number } {
  const total = shape.reduce((a, d) => a * d, 1);
  if (spec.scale.length === 1 && spec.zeroPoint.length === 1) return { inner: Math.max(1, total), size: 1 };
  const axis = spec.axis < 0 ? spec.axis + shape.length : spec.axis;
  const inner = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const size = shape[axis] ?? 1;
  const n = Math.max(spec.scale.length, spec.zeroPoint.length);
  if (n !== size) throw new Error(`${n} quantization parameters for axis ${axis} of size ${size}`);
  return { inner, size };
}

/** Per-axis values broadcast to `size` entries. */
const expand = (values: Float32Array, size: number) =>
  values.length === size ? values : new Float32Array(size).fill(values[0]!);

/**
 * `levels` true: QuantizeLinear's integer levels (as float32), clamped to [qmin, qmax]; gradient dy/scale
 * inside the range, 0 where clamped. `levels` false: the dequantized value, (levels − zp)·scale; gradient dy
 * inside the range. With `stepUnits` k, x is not a float value but (level − zp)/k: a shadow weight kept in
 * units of its own quantization step (see qat.ts), so one learning rate moves every channel alike.
 */
export function fakeQuantize(
  x: tf.Tensor,
  spec: FakeQuantSpec,
  levels: boolean,
  stepUnits: number | null = null,
): tf.Tensor {
  const op = tf.customGrad((xIn) => {
    const xt = xIn as tf.Tensor;
    const xv = xt.dataSync() as Float32Array;
    const { inner, size } = channelLayout(xt.shape, spec);
    const scales = expand(spec.scale, size);
    const zeros = expand(spec.zeroPoint, size);
    const out = new Float32Array(xv.length);
    const pass = new Float32Array(xv.length);
    for (let i = 0; i < xv.length; i++) {
      const c = size === 1 ? 0 : Math.floor(i / inner) % size;
      const s = scales[c]!;
      const z = zeros[c]!;
      let q = roundHalfEven(stepUnits === null ? xv[i]! / s : xv[i]! * stepUnits) + z;
      let inside = 1;
      if (q < spec.qmin) {
        q = spec.qmin;
        inside = 0;
      } else if (q > spec.qmax) {
        q = spec.qmax;
        inside = 0;
      }
      out[i] = levels ? q : (q - z) * s;
      // d(output)/dx inside the range: 1/s for levels, 1 for the value (k·s in step units).
      const slope = stepUnits === null ? (levels ? 1 / s : 1) : levels ? stepUnits : stepUnits * s;
      pass[i] = inside * slope;
    }
    return {
      value: tf.tensor(out, xt.shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const g = (dy.dataSync() as Float32Array).slice();
        for (let i = 0; i < g.length; i++) g[i]! *= pass[i]!;
        return tf.tensor(g, dy.shape, 'float32');
      },
    };
  });
  return op(x) as tf.Tensor;
}

/**
 * QuantizeLinear's levels with a per-tensor scale that trains (LSQ): besides dy/s for x inside the range, the
 * scale gets Σ dy·(−x/s²) over the elements inside it (the straight-through estimate; clamped levels do not
 * depend on s). The dequantization after it, (q − zp)·s, adds its own term through tfjs.
 */
export function fakeQuantizeLevels(
  x: tf.Tensor,
  scale: tf.Tensor,
  zeroPoint: number,
  qmin: number,
  qmax: number,
): tf.Tensor {
  const op = tf.customGrad((xIn, sIn) => {
    const xt = xIn as tf.Tensor;
    const st = sIn as tf.Tensor;
    const xv = xt.dataSync() as Float32Array;
    const s = (st.dataSync() as Float32Array)[0]!;
    const out = new Float32Array(xv.length);
    const inside = new Uint8Array(xv.length);
    for (let i = 0; i < xv.length; i++) {
      let q = roundHalfEven(xv[i]! / s) + zeroPoint;
      if (q < qmin) q = qmin;
      else if (q > qmax) q = qmax;
      else inside[i] = 1;
      out[i] = q;
    }
    return {
      value: tf.tensor(out, xt.shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const g = (dy.dataSync() as Float32Array).slice();
        let ds = 0;
        for (let i = 0; i < g.length; i++) {
          if (inside[i]) {
            ds -= (g[i]! * xv[i]!) / (s * s);
            g[i]! /= s;
          } else {
            g[i] = 0;
          }
        }
        return [tf.tensor(g, dy.shape, 'float32'), tf.fill(st.shape, ds)];
      },
    };
  });
  return op(x, scale) as tf.Tensor;
}
