import { describe, expect, it } from 'vitest';
import { conv2d } from './conv-kernel';
import { matMul2d, maxPool2d } from './dense-kernels';
import { tf, tfReady } from './tf';

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

type Geo = {
  strides: readonly [number, number];
  dilations: readonly [number, number];
  pads: readonly [number, number, number, number];
  group: number;
};

/** The convolution by its definition, one tap at a time: output, and dx/dw for an upstream gradient dy. */
function naiveConv(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  g: Geo,
  dyT: tf.Tensor4D,
): { y: Float32Array; dx: Float32Array; dw: Float32Array } {
  const [n, ci, h, wd] = x.shape;
  const [co, cig, kh, kw] = w.shape;
  const [, , ho, wo] = dyT.shape;
  const xv = x.dataSync();
  const wv = w.dataSync();
  const dy = dyT.dataSync();
  const y = new Float32Array(n * co * ho * wo);
  const dx = new Float32Array(xv.length);
  const dw = new Float32Array(wv.length);
  const cog = co / g.group;
  for (let b = 0; b < n; b++)
    for (let o = 0; o < co; o++)
      for (let oy = 0; oy < ho; oy++)
        for (let ox = 0; ox < wo; ox++) {
          const yi = ((b * co + o) * ho + oy) * wo + ox;
          for (let c = 0; c < cig; c++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * g.strides[0] - g.pads[0] + ky * g.dilations[0];
                const ix = ox * g.strides[1] - g.pads[1] + kx * g.dilations[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                const xi = ((b * ci + Math.floor(o / cog) * cig + c) * h + iy) * wd + ix;
                const wi = ((o * cig + c) * kh + ky) * kw + kx;
                y[yi]! += xv[xi]! * wv[wi]!;
                dx[xi]! += wv[wi]! * dy[yi]!;
                dw[wi]! += xv[xi]! * dy[yi]!;
              }
        }
  return { y, dx, dw };
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? m : Infinity;
};

describe('conv kernel', () => {
  it.each([
    [
      'depthwise, stride 2×1, dilation 1×2, asymmetric pads',
      [2, 4, 9, 11],
      [4, 1, 3, 3],
      {
        strides: [2, 1],
        dilations: [1, 2],
        pads: [1, 2, 0, 1],
        group: 4,
      },
    ],
    [
      'depthwise with channel multiplier 2, 5×5',
      [1, 3, 7, 8],
      [6, 1, 5, 5],
      {
        strides: [1, 1],
        dilations: [1, 1],
        pads: [2, 2, 2, 2],
        group: 3,
      },
    ],
    [
      'pointwise 1×1 (the input is the column matrix)',
      [2, 6, 3, 5],
      [4, 6, 1, 1],
      {
        strides: [1, 1],
        dilations: [1, 1],
        pads: [0, 0, 0, 0],
        group: 1,
      },
    ],
    [
      'grouped pointwise',
      [1, 6, 4, 4],
      [9, 2, 1, 1],
      {
        strides: [1, 1],
        dilations: [1, 1],
        pads: [0, 0, 0, 0],
        group: 3,
      },
    ],
  ] as const)('%s: output and gradients equal the definition', async (_name, xs, ws, geo) => {
    await tfReady();
    tf.tidy(() => {
      const x = tf.randomNormal([...xs], 0, 1, 'float32', 21) as tf.Tensor4D;
      const w = tf.randomNormal([...ws], 0, 1, 'float32', 22) as tf.Tensor4D;
      const y = conv2d(x, w, geo);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 23) as tf.Tensor4D;
      const ref = naiveConv(x, w, geo, dy);
      expect(maxAbs(y.dataSync(), ref.y)).toBeLessThan(1e-4);
      const [gx, gw] = tf.grads((a, b) =>
        tf.sum(tf.mul(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, geo), dy)),
      )([x, w]);
      expect(maxAbs(gx!.dataSync(), ref.dx)).toBeLessThan(1e-4);
      expect(maxAbs(gw!.dataSync(), ref.dw)).toBeLessThan(1e-3);
    });
  });

  it('matches tfjs conv2d and its gradients (group 1, stride 2, asymmetric pads)', async () => {
    await tfReady();
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 9, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
      const dy = tf.randomNormal([2, 4, 5, 4], 0, 1, 'float32', 3);
      const geo = { strides: [2, 2], dilations: [1, 1], pads: [1, 0, 1, 1], group: 1 } as const;
      const ref = (a: tf.Tensor4D, b: tf.Tensor4D) =>
        tf.conv2d(
          tf.pad(a, [
            [0, 0],
            [0, 0],
            [1, 1],
            [0, 1],
          ]) as tf.Tensor4D,
          tf.transpose(b, [2, 3, 1, 0]) as tf.Tensor4D,
          [2, 2],
          'valid',
          'NCHW',
        );
      const mine = conv2d(x, w, geo);
      expect(mine.shape).toEqual([2, 4, 5, 4]);
      expect(maxDiff(mine, ref(x, w))).toBeLessThan(1e-4);
      const g1 = tf.grads((a, b) => tf.sum(tf.mul(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, geo), dy)))([
        x,
        w,
      ]);
      const g2 = tf.grads((a, b) => tf.sum(tf.mul(ref(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
      expect(maxDiff(g1[0]!, g2[0]!)).toBeLessThan(1e-3);
      expect(maxDiff(g1[1]!, g2[1]!)).toBeLessThan(1e-3);
    });
  });

  it('adds the bias inside and differentiates it', async () => {
    await tfReady();
    tf.tidy(() => {
      const x = tf.randomNormal([2, 2, 5, 5], 0, 1, 'float32', 12) as tf.Tensor4D;
      const w = tf.randomNormal([3, 2, 3, 3], 0, 1, 'float32', 13) as tf.Tensor4D;
      const b = tf.tensor1d([0.5, -1, 2]);
      const geo = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], group: 1 } as const;
      const plain = conv2d(x, w, geo);
      expect(maxDiff(conv2d(x, w, geo, b), tf.add(plain, tf.reshape(b, [1, 3, 1, 1])))).toBeLessThan(1e-5);
      const dy = tf.randomNormal([2, 3, 5, 5], 0, 1, 'float32', 14);
      const gb = tf.grad((t) => tf.sum(tf.mul(conv2d(x, w, geo, t), dy)))(b);
      expect(maxDiff(gb, tf.sum(dy, [0, 2, 3]))).toBeLessThan(1e-4);
    });
  });

  it('differentiates grouped, dilated convolutions (finite differences)', async () => {
    await tfReady();
    const geo = { strides: [1, 1], dilations: [2, 1], pads: [2, 1, 2, 1], group: 2 } as const;
    const x = tf.randomNormal([1, 4, 6, 5], 0, 1, 'float32', 4) as tf.Tensor4D;
    const w = tf.randomNormal([6, 2, 3, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const f = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.square(conv2d(a, b, geo)));
    const [gx, gw] = tf.grads((a, b) => f(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
    const eps = 1e-2;
    for (const [t, g, i] of [
      [x, gx!, 7],
      [w, gw!, 11],
      [w, gw!, 40],
    ] as const) {
      const base = t.dataSync().slice();
      const at = (delta: number) => {
        const v = base.slice();
        v[i] = v[i]! + delta;
        const moved = tf.tensor4d(v, t.shape);
        const r = t === x ? f(moved, w) : f(x, moved);
        return r.dataSync()[0]!;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(numeric - g.dataSync()[i]!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(numeric)));
    }
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matMul2d (transA %s, transB %s) and its gradients match tfjs', async (ta, tb) => {
    await tfReady();
    tf.tidy(() => {
      const a = tf.randomNormal(ta ? [5, 3] : [3, 5], 0, 1, 'float32', 6) as tf.Tensor2D;
      const b = tf.randomNormal(tb ? [4, 5] : [5, 4], 0, 1, 'float32', 7) as tf.Tensor2D;
      const dy = tf.randomNormal([3, 4], 0, 1, 'float32', 8);
      expect(maxDiff(matMul2d(a, b, ta, tb), tf.matMul(a, b, ta, tb))).toBeLessThan(1e-5);
      const g1 = tf.grads((p, q) => tf.sum(tf.mul(matMul2d(p as tf.Tensor2D, q as tf.Tensor2D, ta, tb), dy)))(
        [a, b],
      );
      const g2 = tf.grads((p, q) =>
        tf.sum(tf.mul(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, ta, tb), dy)),
      )([a, b]);
      expect(maxDiff(g1[0]!, g2[0]!)).toBeLessThan(1e-5);
      expect(maxDiff(g1[1]!, g2[1]!)).toBeLessThan(1e-5);
    });
  });

  it('maxPool2d and its gradient match tfjs', async () => {
    await tfReady();
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 6, 7], 0, 1, 'float32', 9) as tf.Tensor4D;
      const geo = { kernel: [2, 3], strides: [2, 2], pads: [0, 0, 0, 0] } as const;
      const ref = (t: tf.Tensor4D) =>
        tf.transpose(
          tf.maxPool(tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D, [2, 3], [2, 2], 'valid'),
          [0, 3, 1, 2],
        );
      expect(maxDiff(maxPool2d(x, geo), ref(x))).toBeLessThan(1e-6);
      const g1 = tf.grad((t) => tf.sum(tf.square(maxPool2d(t as tf.Tensor4D, geo))))(x);
      const g2 = tf.grad((t) => tf.sum(tf.square(ref(t as tf.Tensor4D))))(x);
      expect(maxDiff(g1, g2)).toBeLessThan(1e-5);
    });
  });
});
