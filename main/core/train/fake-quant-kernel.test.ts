import { describe, expect, it } from 'vitest';
import { fakeQuantize, roundHalfEven } from './fake-quant-kernel';
import { tf, tfReady } from './tf';

describe('fake quantization kernel', () => {
  it('rounds half to even, as QuantizeLinear does', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, 2, -3]);
  });

  it('per tensor: levels clamped to the range, gradient 1/scale inside and 0 where clamped', async () => {
    await tfReady();
    const spec = { scale: Float32Array.of(0.5), zeroPoint: Float32Array.of(10), axis: 1, qmin: 0, qmax: 20 };
    const x = tf.tensor1d([-6, -0.3, 0.25, 1.1, 4.9, 7]);
    const levels = fakeQuantize(x, spec, true);
    expect(Array.from(levels.dataSync())).toEqual([0, 9, 10, 12, 20, 20]);
    const g = tf.grad((t) => tf.sum(fakeQuantize(t, spec, true)))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 2, 2, 2, 2, 0]);
    const value = fakeQuantize(x, spec, false);
    expect(Array.from(value.dataSync())).toEqual([-5, -0.5, 0, 1, 5, 5]);
  });

  it('per channel along an axis; in step units the shadow is (level − zp)/k', async () => {
    await tfReady();
    const spec = {
      scale: Float32Array.of(0.1, 1),
      zeroPoint: Float32Array.of(0, 0),
      axis: 0,
      qmin: -127,
      qmax: 127,
    };
    const w = tf.tensor2d([0.04, 0.26, 2.6, -300], [2, 2]);
    expect(Array.from(fakeQuantize(w, spec, false).dataSync()).map((v) => +v.toFixed(5))).toEqual([
      0, 0.3, 3, -127,
    ]);
    // Shadow 0.26 levels/k with k = 10 → level 3 (channel 0, ×0.1 = 0.3); 12.6 → 126 (channel 1, ×1).
    const shadow = tf.tensor2d([0.26, -0.04, 12.6, 20], [2, 2]);
    const v = fakeQuantize(shadow, spec, false, 10);
    expect(Array.from(v.dataSync()).map((x) => +x.toFixed(5))).toEqual([0.3, 0, 126, 127]);
    const g = tf.grad((t) => tf.sum(fakeQuantize(t, spec, false, 10)))(shadow);
    expect(Array.from(g.dataSync()).map((x) => +x.toFixed(5))).toEqual([1, 1, 10, 0]);
  });
});
