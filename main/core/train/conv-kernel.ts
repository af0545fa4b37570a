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

/**
 * out[o][p] += Σr W[o][r]·col[r][p] for four consecutive output rows (at yOff, weights at wOff), two patch
 * rows per pass: eight multiply-adds per two patch loads and four output loads and stores.
 */
function forwardBlock4(
  out: Float32Array,
  yOff: number,
  w: Float32Array,
  wOff: number,
  col: Float32Array,
  R: number,
  P: number,
): void {
  const y1 = yOff + P;
  const y2 = y1 + P;
  const y3 = y2 + P;
  const v1 = wOff + R;
  const v2 = v1 + R;
  const v3 = v2 + R;
  let r = 0;
  for (; r + 2 <= R; r += 2) {
    const a0 = w[wOff + r]!;
    const b0 = w[wOff + r + 1]!;
    const a1 = w[v1 + r]!;
    const b1 = w[v1 + r + 1]!;
    const a2 = w[v2 + r]!;
    const b2 = w[v2 + r + 1]!;
    const a3 = w[v3 + r]!;
    const b3 = w[v3 + r + 1]!;
    const c0 = r * P;
    const c1 = c0 + P;
    for (let p = 0; p < P; p++) {
      const x0 = col[c0 + p]!;
      const x1 = col[c1 + p]!;
      out[yOff + p]! += a0 * x0 + b0 * x1;
      out[y1 + p]! += a1 * x0 + b1 * x1;
      out[y2 + p]! += a2 * x0 + b2 * x1;
      out[y3 + p]! += a3 * x0 + b3 * x1;
    }
  }
  for (; r < R; r++) {
    const a0 = w[wOff + r]!;
    const a1 = w[v1 + r]!;
    const a2 = w[v2 + r]!;
    const a3 = w[v3 + r]!;
    const c0 = r * P;
    for (let p = 0; p < P; p++) {
      const x0 = col[c0 + p]!;
      out[yOff + p]! += a0 * x0;
      out[y1 + p]! += a1 * x0;
      out[y2 + p]! += a2 * x0;
      out[y3 + p]! += a3 * x0;
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
      // Four output channels per pass: each patch value loaded once for four of them.
      let o = 0;
      for (; o + 4 <= d.cog; o += 4)
        forwardBlock4(out, (n * d.co + gi * d.cog + o) * P, w, (gi * d.cog + o) * R, col, R, P);
      for (; o < d.cog; o++) {
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

/** dW rows oc and oc+1 (at wOff, wOff+R) += their dy rows (at yOff, yOff+P) · every patch row. */
function filterGradBlock(
  dw: Float32Array,
  wOff: number,
  dy: Float32Array,
  yOff: number,
  col: Float32Array,
  R: number,
  P: number,
): void {
  const yOff1 = yOff + P;
  const wOff1 = wOff + R;
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    const c0 = r * P;
    const c1 = c0 + P;
    const c2 = c1 + P;
    const c3 = c2 + P;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (let p = 0; p < P; p++) {
      const g0 = dy[yOff + p]!;
      const g1 = dy[yOff1 + p]!;
      const x0 = col[c0 + p]!;
      const x1 = col[c1 + p]!;
      const x2 = col[c2 + p]!;
      const x3 = col[c3 + p]!;
      s0 += g0 * x0;
      s1 += g0 * x1;
      s2 += g0 * x2;
      s3 += g0 * x3;
      t0 += g1 * x0;
      t1 += g1 * x1;
      t2 += g1 * x2;
      t3 += g1 * x3;
    }
    dw[wOff + r]! += s0;
    dw[wOff + r + 1]! += s1;
    dw[wOff + r + 2]! += s2;
    dw[wOff + r + 3]! += s3;
    dw[wOff1 + r]! += t0;
    dw[wOff1 + r + 1]! += t1;
    dw[wOff1 + r + 2]! += t2;
    dw[wOff1 + r + 3]! += t3;
  }
  for (; r < R; r++) {
    const c0 = r * P;
    let s0 = 0;
    let t0 = 0;
    for (let p = 0; p < P; p++) {
      const x0 = col[c0 + p]!;
      s0 += dy[yOff + p]! * x0;
      t0 += dy[yOff1 + p]! * x0;
    }
    dw[wOff + r]! += s0;
    dw[wOff1 + r]! += t0;
  }
}

/**
 * dcol[r][p] = Σo W[o][r]·dy[o][p] for `rows` (1 or 2) consecutive patch rows from r, four output channels
 * per pass: each dy value loaded once for both rows. Writes (not adds) the rows: dcol may be dx itself.
 */
function columnGradRows(
  dcol: Float32Array,
  r: number,
  rows: 1 | 2,
  w: Float32Array,
  w0: number,
  dy: Float32Array,
  y0: number,
  cog: number,
  R: number,
  P: number,
): void {
  const e0 = r * P;
  const e1 = e0 + P;
  dcol.fill(0, e0, e0 + rows * P);
  let o = 0;
  for (; o + 4 <= cog; o += 4) {
    const k = w0 + o * R + r;
    const a0 = w[k]!;
    const a1 = w[k + R]!;
    const a2 = w[k + 2 * R]!;
    const a3 = w[k + 3 * R]!;
    const d0 = y0 + o * P;
    const d1 = d0 + P;
    const d2 = d1 + P;
    const d3 = d2 + P;
    if (rows === 2) {
      const b0 = w[k + 1]!;
      const b1 = w[k + R + 1]!;
      const b2 = w[k + 2 * R + 1]!;
      const b3 = w[k + 3 * R + 1]!;
      for (let p = 0; p < P; p++) {
        const g0 = dy[d0 + p]!;
        const g1 = dy[d1 + p]!;
        const g2 = dy[d2 + p]!;
        const g3 = dy[d3 + p]!;
        dcol[e0 + p]! += a0 * g0 + a1 * g1 + a2 * g2 + a3 * g3;
        dcol[e1 + p]! += b0 * g0 + b1 * g1 + b2 * g2 + b3 * g3;
      }
    } else {
      for (let p = 0; p < P; p++) {
        dcol[e0 + p]! += a0 * dy[d0 + p]! + a1 * dy[d1 + p]! + a2 * dy[d2 + p]! + a3 * dy[d3 + p]!;
      }
    }
  }
  for (; o < cog; o++) {
    const k = w0 + o * R + r;
    const d0 = y0 + o * P;
    const a0 = w[k]!;
    for (let p = 0; p < P; p++) dcol[e0 + p]! += a0 * dy[d0 + p]!;
    if (rows === 2) {
      const b0 = w[k + 1]!;
      for (let p = 0; p < P; p++) dcol[e1 + p]! += b0 * dy[d0 + p]!;
    }
  }
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
  for (let n = 0; n < d.n; n++) {
    for (let gi = 0; gi < g.group; gi++) {
      const xOff = (n * d.ci + gi * d.cig) * d.h * d.w;
      const col = ownCol ?? x.subarray(xOff, xOff + R * P);
      const dcol = ownDcol ?? dx.subarray(xOff, xOff + R * P);
      if (ownCol) im2col(x, xOff, ownCol, d, g, false);
      // dW[o][r] += Σp dy[o][p]·col[r][p]: two output channels × four patch rows per pass (six loads per
      // eight products), then one channel at a time for an odd one left.
      let o = 0;
      for (; o + 2 <= d.cog; o += 2) {
        const oc = gi * d.cog + o;
        filterGradBlock(dw, oc * R, dy, (n * d.co + oc) * P, col, R, P);
      }
      for (; o < d.cog; o++) {
        const oc = gi * d.cog + o;
        const yOff = (n * d.co + oc) * P;
        const wOff = oc * R;
        for (let r = 0; r < R; r++) {
          const cOff = r * P;
          let s = 0;
          for (let p = 0; p < P; p++) s += dy[yOff + p]! * col[cOff + p]!;
          dw[wOff + r]! += s;
        }
      }
      // dcol[r][p] = Σo W[o][r]·dy[o][p], four output channels per pass (one dcol store per four products).
      const y0 = (n * d.co + gi * d.cog) * P;
      const w0 = gi * d.cog * R;
      let r = 0;
      for (; r + 2 <= R; r += 2) columnGradRows(dcol, r, 2, w, w0, dy, y0, d.cog, R, P);
      if (r < R) columnGradRows(dcol, r, 1, w, w0, dy, y0, d.cog, R, P);
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
