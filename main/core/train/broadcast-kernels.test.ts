import { describe, expect, it } from 'vitest';
import { broadcastPlan } from './broadcast-kernels';
import { tf, tfReady } from './tf';

/** Element i of a broadcast, by coordinates (the definition), for shapes already padded to one rank. */
function naive(
  op: (a: number, b: number) => number,
  aShape: number[],
  a: Float32Array,
  bShape: number[],
  b: Float32Array,
): Float32Array {
  const rank = Math.max(aShape.length, bShape.length);
  const pa = [...Array<number>(rank - aShape.length).fill(1), ...aShape];
  const pb = [...Array<number>(rank - bShape.length).fill(1), ...bShape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]!));
  const total = shape.reduce((x, d) => x * d, 1);
  const out = new Float32Array(total);
  for (let i = 0; i < total; i++) {
    let rest = i;
    let ai = 0;
    let bi = 0;
    let as = 1;
    let bs = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
      ai += (pa[d] === 1 ? 0 : c) * as;
      bi += (pb[d] === 1 ? 0 : c) * bs;
      as *= pa[d]!;
      bs *= pb[d]!;
    }
    out[i] = op(a[ai]!, b[bi]!);
  }
  return out;
}

const shapes: [number[], number[]][] = [
  [
    [2, 3, 4, 5],
    [3, 1, 1],
  ],
  [
    [2, 3, 4, 5],
    [2, 3, 4, 5],
  ],
  [
    [3, 1],
    [1, 4],
  ],
  [[1], [2, 3]],
  [[], [4, 2]],
  [
    [2, 1, 5],
    [1, 3, 1],
  ],
  [
    [4, 1, 6],
    [4, 7, 6],
  ],
  [[1, 1, 1], [1]],
];

describe('broadcast kernels', () => {
  it.each(shapes)('%j with %j: every op equals the definition', async (aShape, bShape) => {
    await tfReady();
    const size = (s: number[]) => s.reduce((x, d) => x * d, 1);
    const a = Float32Array.from({ length: size(aShape) }, (_, i) => Math.sin(i + 1) * 3);
    const b = Float32Array.from({ length: size(bShape) }, (_, i) => Math.cos(i * 0.7) * 2 + 0.1);
    const ops: [(x: tf.Tensor, y: tf.Tensor) => tf.Tensor, (x: number, y: number) => number][] = [
      [tf.add, (x, y) => x + y],
      [tf.sub, (x, y) => x - y],
      [tf.mul, (x, y) => x * y],
      [tf.div, (x, y) => x / y],
      [tf.maximum, Math.max],
      [tf.minimum, Math.min],
    ];
    for (const [mine, def] of ops) {
      const got = tf.tidy(() => {
        const r = mine(tf.tensor(a, aShape), tf.tensor(b, bShape));
        return { shape: r.shape, values: r.dataSync() as Float32Array };
      });
      const want = naive(def, aShape, a, bShape, b);
      expect(got.shape).toEqual(broadcastPlan(aShape, bShape).shape);
      expect(Array.from(got.values)).toEqual(Array.from(want));
    }
  });

  it('keeps NaN through maximum/minimum and refuses shapes that do not broadcast', async () => {
    await tfReady();
    const r = tf.tidy(() => Array.from(tf.maximum(tf.tensor([NaN, 1, 2]), tf.tensor([0])).dataSync()));
    expect(r).toEqual([NaN, 1, 2]);
    expect(() => broadcastPlan([2, 3], [4, 3])).toThrow(/broadcast/);
  });

  it('merges dimensions that run in step into one loop', () => {
    expect(broadcastPlan([2, 3, 4, 5], [3, 1, 1]).sizes).toEqual([20, 3, 2]);
    expect(broadcastPlan([2, 3, 4, 5], [2, 3, 4, 5]).sizes).toEqual([120]);
  });
});
