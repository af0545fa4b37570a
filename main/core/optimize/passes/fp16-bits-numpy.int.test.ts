import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { float16BitsToNumber as halfBitsToFloat, float32ToFloat16Bits as toHalfBits } from './fp16-bits';

describe('float16 conversion against numpy', () => {
  it('rounds float32 to float16 bits exactly as numpy does, and back', () => {
    const script = String.raw`
import numpy as np, json
rng = np.random.default_rng(1)
v = np.concatenate([
    rng.standard_normal(500) * 10.0 ** rng.integers(-9, 6, 500),
    np.array([0.0, -0.0, 65504, 65520, 65519.99, 1e-8, 2.0**-25, 2.0**-25 * 1.0001, 2.0**-24 * 1.5, 6.1e-5, np.inf, -np.inf]),
    (np.arange(1, 200) * 2.0**-11 + 1) - 2.0**-12,
]).astype(np.float32)
with np.errstate(over='ignore'):  # beyond float16's range becomes ±inf, as intended: no warning on stderr
    half = v.astype(np.float16)
print(json.dumps([v.view(np.uint32).tolist(), half.view(np.uint16).tolist()]))
`;
    const [f32bits, f16bits] = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }),
    ) as [number[], number[]];
    const f32 = new Float32Array(Uint32Array.from(f32bits).buffer);
    const ours = Array.from(f32, toHalfBits);
    expect(ours).toEqual(f16bits);
    // Decoding is exact, so a decoded value encodes back to the same bits.
    expect(f16bits.map((h) => toHalfBits(halfBitsToFloat(h)))).toEqual(f16bits);
  });
});
