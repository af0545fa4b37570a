// 2-D convolution (NCHW, groups, strides, pads, dilations) as im2col + GEMM loops over Float32Arrays, with its
// gradients, plugged into tfjs through customGrad. Why not tfjs' own conv2d: on this machine its CPU
// backward kernels took 8.8 s for one 64×14×14×16→32 filter gradient (≈ 58 M multiply-adds), about 50× the
// cost of the same work as a GEMM; this kernel also covers dilation, which tfjs cannot differentiate.
import { tf } from './tf';

type ConvGeometry = {
  strides: readonly [number, number];
  dilations: readonly [number, number];
  /** top, left, bottom, right */
  pads: readonly [number, number, number, number];
  group: number;
};

type Dims = {
  n: number;
  ci: number;
  h: number;
  w: number;
  co: number;
  kh: number;
  kw: number;
  ho: number;
  wo: number;
  cig: number;
  cog: number;
};

function dimsOf(xShape: readonly number[], wShape: readonly number[], g: ConvGeometry): Dims {
  const [n, ci, h, w] = xShape as [number, number, number, number];
  const [co, cig, kh, kw] = wShape as [number, number, number, number];
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, pl, pb, pr] = g.pads;
  const ho = Math.floor((h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1;
  const wo = Math.floor((w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  if (cig * g.group !== ci || co % g.group !== 0 || ho < 1 || wo < 1) {
    throw new Error(
      `conv shapes do not fit: input [${xShape.join(',')}], weight [${wShape.join(',')}], group ${g.group}`,
    );
  }
  return { n, ci, h, w, co, kh, kw, ho, wo, cig, cog: co / g.group };
}

/** A 1×1 convolution with stride 1 and no padding reads its input as the column matrix itself. */
function isPointwise(d: Dims, g: ConvGeometry): boolean {
  return (
    d.kh === 1 &&
    d.kw === 1 &&
    g.strides[0] === 1 &&
    g.strides[1] === 1 &&
    g.pads.every((p) => p === 0) &&
    d.ho === d.h &&
    d.wo === d.w
  );
}

/** Output columns [lo, hi) whose input column ox·s − pad + k·dil falls inside [0, size). */
function validRange(out: number, size: number, s: number, pad: number, kOff: number): [number, number] {
  const lo = Math.max(0, Math.ceil((pad - kOff) / s));
  const hi = Math.min(out, Math.floor((size - 1 + pad - kOff) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Convolutions where every output channel reads one input channel (depthwise, cig = 1), computed directly:
 * im2col would copy kh·kw shifted images to do as many multiply-adds. With `grads`, the backward pass: dx and
 * dw from dy.
 */
function depthwise(
  x: Float32Array,
  w: Float32Array,
  d: Dims,
  g: ConvGeometry,
  y: Float32Array,
  grads: { dx: Float32Array; dw: Float32Array } | null,
): void {
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, pl] = g.pads;
  const P = d.ho * d.wo;
  const K = d.kh * d.kw;
  for (let n = 0; n < d.n; n++) {
    for (let oc = 0; oc < d.co; oc++) {
      const ic = Math.floor(oc / d.cog);
      const xOff = (n * d.ci + ic) * d.h * d.w;
      const yOff = (n * d.co + oc) * P;
      for (let ky = 0; ky < d.kh; ky++) {
        for (let kx = 0; kx < d.kw; kx++) {
          const k = oc * K + ky * d.kw + kx;
          const wv = w[k]!;
          const [lo, hi] = validRange(d.wo, d.w, sw, pl, kx * dw);
          const shift = kx * dw - pl;
          let acc = 0;
          for (let oy = 0; oy < d.ho; oy++) {
            const iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= d.h) continue;
            const xr = xOff + iy * d.w + shift;
            const yr = yOff + oy * d.wo;
            if (grads) {
              const gx = grads.dx;
              for (let ox = lo; ox < hi; ox++) {
                const gv = y[yr + ox]!;
                gx[xr + ox * sw]! += wv * gv;
                acc += gv * x[xr + ox * sw]!;
              }
            } else {
              for (let ox = lo; ox < hi; ox++) y[yr + ox]! += wv * x[xr + ox * sw]!;
            }
          }
          if (grads) grads.dw[k]! += acc;
        }
      }
    }
  }
}

/** Copies (or, with `add`, scatters back) one group's input patches: col[(c·kh + ky)·kw + kx][oy·wo + ox]. */
function im2col(
  x: Float32Array,
  xOff: number,
  col: Float32Array,
  d: Dims,
  g: ConvGeometry,
  add: boolean,
): void {
  const P = d.ho * d.wo;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, pl] = g.pads;
  let row = 0;
  for (let c = 0; c < d.cig; c++) {
    const cOff = xOff + c * d.h * d.w;
    for (let ky = 0; ky < d.kh; ky++) {
      for (let kx = 0; kx < d.kw; kx++, row++) {
        const rOff = row * P;
        for (let oy = 0; oy < d.ho; oy++) {
          const iy = oy * sh - pt + ky * dh;
          const pOff = rOff + oy * d.wo;
          if (iy < 0 || iy >= d.h) {
            if (!add) col.fill(0, pOff, pOff + d.wo);
            continue;
          }
          const yOff = cOff + iy * d.w;
          for (let ox = 0; ox < d.wo; ox++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= d.w) {
              if (!add) col[pOff + ox] = 0;
            } else if (add) {
              x[yOff + ix]! += col[pOff + ox]!;
            } else {
              col[pOff + ox] = x[yOff + ix]!;
            }
          }
        }
      }
    }
  }
}

function forward(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  d: Dims,
  g: ConvGeometry,
): Float32Array {
  const P = d.ho * d.wo;
  const R = d.cig * d.kh * d.kw;
  const out = new Float32Array(d.n * d.co * P);
  if (bias) {
    for (let n = 0; n < d.n; n++) {
      for (let o = 0; o < d.co; o++) out.fill(bias[o]!, (n * d.co + o) * P, (n * d.co + o + 1) * P);
    }
  }
  if (d.cig === 1 && !(d.kh === 1 && d.kw === 1)) {
    depthwise(x, w, d, g, out, null);
    return out;
  }
  const pointwise = isPointwise(d, g);
  const own = pointwise ? null : new Float32Array(R * P);
  const R4 = R - (R % 4);
  for (let n = 0; n < d.n; n++) {
    for (let gi = 0; gi < g.group; gi++) {
      const xOff = (n * d.ci + gi * d.cig) * d.h * d.w;
      const col = own ?? x.subarray(xOff, xOff + R * P);
      if (own) im2col(x, xOff, own, d, g, false);
      for (let o = 0; o < d.cog; o++) {
        const oc = gi * d.cog + o;
        const yOff = (n * d.co + oc) * P;
        const wOff = oc * R;
        // Four patch rows per pass: one load and store of the output row per four multiply-adds (the
        // one-row loop was bound by those stores; 2.4× faster on the MNIST CNN's second convolution).
        let r = 0;
        for (; r < R4; r += 4) {
          const w0 = w[wOff + r]!;
          const w1 = w[wOff + r + 1]!;
          const w2 = w[wOff + r + 2]!;
          const w3 = w[wOff + r + 3]!;
          const c0 = r * P;
          const c1 = c0 + P;
          const c2 = c1 + P;
          const c3 = c2 + P;
          for (let p = 0; p < P; p++) {
            out[yOff + p]! += w0 * col[c0 + p]! + w1 * col[c1 + p]! + w2 * col[c2 + p]! + w3 * col[c3 + p]!;
          }
        }
        for (; r < R; r++) {
          const wv = w[wOff + r]!;
          const cOff = r * P;
          for (let p = 0; p < P; p++) out[yOff + p]! += wv * col[cOff + p]!;
        }
      }
    }
  }
  return out;
}

function backward(
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
  d: Dims,
  g: ConvGeometry,
): { dx: Float32Array; dw: Float32Array } {
  const P = d.ho * d.wo;
  const R = d.cig * d.kh * d.kw;
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  if (d.cig === 1 && !(d.kh === 1 && d.kw === 1)) {
    depthwise(x, w, d, g, dy, { dx, dw });
    return { dx, dw };
  }
  // A pointwise convolution's columns are its input, and its column gradient is dx itself (groups and
  // samples own disjoint ranges of dx, each written once).
  const pointwise = isPointwise(d, g);
  const ownCol = pointwise ? null : new Float32Array(R * P);
  const ownDcol = pointwise ? null : new Float32Array(R * P);
  const R4 = R - (R % 4);
  const cog4 = d.cog - (d.cog % 4);
  for (let n = 0; n < d.n; n++) {
    for (let gi = 0; gi < g.group; gi++) {
      const xOff = (n * d.ci + gi * d.cig) * d.h * d.w;
      const col = ownCol ?? x.subarray(xOff, xOff + R * P);
      const dcol = ownDcol ?? dx.subarray(xOff, xOff + R * P);
      if (ownCol) im2col(x, xOff, ownCol, d, g, false);
      // dW[o][r] += Σp dy[o][p]·col[r][p], four patch rows per pass (one dy load per four products).
      for (let o = 0; o < d.cog; o++) {
        const oc = gi * d.cog + o;
        const yOff = (n * d.co + oc) * P;
        const wOff = oc * R;
        let r = 0;
        for (; r < R4; r += 4) {
          const c0 = r * P;
          const c1 = c0 + P;
          const c2 = c1 + P;
          const c3 = c2 + P;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let p = 0; p < P; p++) {
            const gv = dy[yOff + p]!;
            s0 += gv * col[c0 + p]!;
            s1 += gv * col[c1 + p]!;
            s2 += gv * col[c2 + p]!;
            s3 += gv * col[c3 + p]!;
          }
          dw[wOff + r]! += s0;
          dw[wOff + r + 1]! += s1;
          dw[wOff + r + 2]! += s2;
          dw[wOff + r + 3]! += s3;
        }
        for (; r < R; r++) {
          const cOff = r * P;
          let s = 0;
          for (let p = 0; p < P; p++) s += dy[yOff + p]! * col[cOff + p]!;
          dw[wOff + r]! += s;
        }
      }
      // dcol[r][p] = Σo W[o][r]·dy[o][p], four output channels per pass (one dcol store per four products).
      const y0 = (n * d.co + gi * d.cog) * P;
      const w0 = gi * d.cog * R;
      for (let r = 0; r < R; r++) {
        const cOff = r * P;
        let o = 0;
        if (cog4 > 0) {
          const a0 = w[w0 + r]!;
          const a1 = w[w0 + R + r]!;
          const a2 = w[w0 + 2 * R + r]!;
          const a3 = w[w0 + 3 * R + r]!;
          for (let p = 0; p < P; p++) {
            dcol[cOff + p] =
              a0 * dy[y0 + p]! + a1 * dy[y0 + P + p]! + a2 * dy[y0 + 2 * P + p]! + a3 * dy[y0 + 3 * P + p]!;
          }
          o = 4;
        } else {
          dcol.fill(0, cOff, cOff + P);
        }
        for (; o < cog4; o += 4) {
          const a0 = w[w0 + o * R + r]!;
          const a1 = w[w0 + (o + 1) * R + r]!;
          const a2 = w[w0 + (o + 2) * R + r]!;
          const a3 = w[w0 + (o + 3) * R + r]!;
          const d0 = y0 + o * P;
          const d1 = d0 + P;
          const d2 = d1 + P;
          const d3 = d2 + P;
          for (let p = 0; p < P; p++) {
            dcol[cOff + p]! += a0 * dy[d0 + p]! + a1 * dy[d1 + p]! + a2 * dy[d2 + p]! + a3 * dy[d3 + p]!;
          }
        }
        for (; o < d.cog; o++) {
          const a = w[w0 + o * R + r]!;
          const dOff = y0 + o * P;
          for (let p = 0; p < P; p++) dcol[cOff + p]! += a * dy[dOff + p]!;
        }
      }
      if (ownDcol) im2col(dx, xOff, ownDcol, d, g, true);
    }
  }
  return { dx, dw };
}

/**
 * y = conv(x, w) + b for NCHW x and ONNX-layout w [out, in/group, kh, kw]; differentiable in x, w and b.
 * The bias is added inside: tfjs' broadcasting add and its gradient cost as much as a small convolution.
 */
export function conv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  geometry: ConvGeometry,
  bias?: tf.Tensor,
): tf.Tensor4D {
  const b = bias ?? tf.zeros([w.shape[0]]);
  const op = tf.customGrad((xIn, wIn, bIn, save) => {
    const xt = xIn as tf.Tensor4D;
    const wt = wIn as tf.Tensor4D;
    const bt = bIn as tf.Tensor;
    (save as (tensors: tf.Tensor[]) => void)([xt, wt]);
    const d = dimsOf(xt.shape, wt.shape, geometry);
    const y = forward(
      xt.dataSync() as Float32Array,
      wt.dataSync() as Float32Array,
      bt.dataSync() as Float32Array,
      d,
      geometry,
    );
    return {
      value: tf.tensor4d(y, [d.n, d.co, d.ho, d.wo]),
      gradFunc: (dyIn, saved) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy = (dyIn as tf.Tensor).dataSync() as Float32Array;
        const grads = backward(sx.dataSync() as Float32Array, sw.dataSync() as Float32Array, dy, d, geometry);
        const P = d.ho * d.wo;
        const db = new Float32Array(d.co);
        for (let n = 0; n < d.n; n++) {
          for (let o = 0; o < d.co; o++) {
            let s = 0;
            const off = (n * d.co + o) * P;
            for (let p = 0; p < P; p++) s += dy[off + p]!;
            db[o]! += s;
          }
        }
        return [tf.tensor4d(grads.dx, sx.shape), tf.tensor4d(grads.dw, sw.shape), tf.tensor(db, bt.shape)];
      },
    };
  });
  return op(x, w, b) as tf.Tensor4D;
}
