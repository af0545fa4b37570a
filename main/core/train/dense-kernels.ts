// Matrix product and max pooling as loops over Float32Arrays with tfjs gradients (customGrad). On this
// machine tfjs' CPU matMul ran a 12544×144×32 product in 550 ms where these loops take 170 ms, and its
// maxPool needs NHWC (two transposes per call); training time is dominated by these and the convolution.
import { tf } from './tf';

/** C[M,N] = A[M,K] · B[K,N], row-major, i-k-j order (the inner loop runs over contiguous memory). */
function gemm(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const cOff = i * n;
    const aOff = i * k;
    for (let p = 0; p < k; p++) {
      const av = a[aOff + p]!;
      if (av === 0) continue;
      const bOff = p * n;
      for (let j = 0; j < n; j++) c[cOff + j]! += av * b[bOff + j]!;
    }
  }
  return c;
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

/** A·B for 2-D tensors, optionally transposed (Gemm's transA/transB); differentiable in both. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, transA: boolean, transB: boolean): tf.Tensor2D {
  const op = tf.customGrad((aIn, bIn, save) => {
    const at = aIn as tf.Tensor2D;
    const bt = bIn as tf.Tensor2D;
    (save as (tensors: tf.Tensor[]) => void)([at, bt]);
    const [m, k] = transA ? [at.shape[1], at.shape[0]] : at.shape;
    const [k2, n] = transB ? [bt.shape[1], bt.shape[0]] : bt.shape;
    if (k !== k2) throw new Error(`matmul inner sizes differ: ${k} vs ${k2}`);
    const av = at.dataSync() as Float32Array;
    const bv = bt.dataSync() as Float32Array;
    const A = transA ? transpose(av, k, m) : av; // [m,k]
    const B = transB ? transpose(bv, n, k) : bv; // [k,n]
    return {
      value: tf.tensor2d(gemm(A, B, m, k, n), [m, n]),
      gradFunc: (dyIn) => {
        const dy = (dyIn as tf.Tensor).dataSync() as Float32Array; // [m,n]
        // dA' = dY·Bᵀ [m,k]; dB' = Aᵀ·dY [k,n]; stored back in each operand's own layout.
        const dA = gemm(dy, transpose(B, k, n), m, n, k);
        const dB = gemm(transpose(A, m, k), dy, k, m, n);
        return [
          tf.tensor2d(transA ? transpose(dA, m, k) : dA, at.shape),
          tf.tensor2d(transB ? transpose(dB, k, n) : dB, bt.shape),
        ];
      },
    };
  });
  return op(a, b) as tf.Tensor2D;
}

type PoolGeometry = {
  kernel: readonly [number, number];
  strides: readonly [number, number];
  /** top, left, bottom, right */
  pads: readonly [number, number, number, number];
};

/** NCHW max pooling; padding never wins. The gradient goes to the first maximum of each window. */
export function maxPool2d(x: tf.Tensor4D, g: PoolGeometry): tf.Tensor4D {
  const op = tf.customGrad((xIn, save) => {
    const xt = xIn as tf.Tensor4D;
    (save as (tensors: tf.Tensor[]) => void)([xt]);
    const [n, c, h, w] = xt.shape;
    const [kh, kw] = g.kernel;
    const [sh, sw] = g.strides;
    const [pt, pl, pb, pr] = g.pads;
    const ho = Math.floor((h + pt + pb - kh) / sh) + 1;
    const wo = Math.floor((w + pl + pr - kw) / sw) + 1;
    const xv = xt.dataSync() as Float32Array;
    const out = new Float32Array(n * c * ho * wo);
    const arg = new Int32Array(out.length);
    for (let plane = 0; plane < n * c; plane++) {
      const xOff = plane * h * w;
      const yOff = plane * ho * wo;
      for (let oy = 0; oy < ho; oy++) {
        const y0 = Math.max(0, oy * sh - pt);
        const y1 = Math.min(h, oy * sh - pt + kh);
        for (let ox = 0; ox < wo; ox++) {
          const x0 = Math.max(0, ox * sw - pl);
          const x1 = Math.min(w, ox * sw - pl + kw);
          let best = -Infinity;
          let at = -1;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const v = xv[xOff + iy * w + ix]!;
              if (v > best || at < 0) {
                best = v;
                at = xOff + iy * w + ix;
              }
            }
          }
          out[yOff + oy * wo + ox] = best;
          arg[yOff + oy * wo + ox] = at;
        }
      }
    }
    return {
      value: tf.tensor4d(out, [n, c, ho, wo]),
      gradFunc: (dyIn) => {
        const dy = (dyIn as tf.Tensor).dataSync() as Float32Array;
        const dx = new Float32Array(xv.length);
        for (let i = 0; i < dy.length; i++) if (arg[i]! >= 0) dx[arg[i]!]! += dy[i]!;
        return tf.tensor4d(dx, xt.shape);
      },
    };
  });
  return op(x) as tf.Tensor4D;
}
