import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { createModelBuilder, encodeModel } from '../../onnx';
import { createRng } from '../../../../test/models/prng';
import {
  convertToFloat16,
  FLOAT16_MAX,
  FLOAT16_MIN_POSITIVE,
  float16BitsToNumber,
  float32ToFloat16Bits,
} from './fp16-bits';

/** ONNX Runtime's own Cast(float → float16) of `values`, as bit patterns. */
async function ortCast(values: Float32Array): Promise<Uint16Array> {
  const model = createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [values.length])
    .output('y', DT.FLOAT16, [values.length])
    .node('Cast', ['x'], ['y'], { to: DT.FLOAT16 })
    .build();
  const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', values, [values.length]) });
    return Uint16Array.from(out.y!.data as Uint16Array);
  } finally {
    await session.release();
  }
}

const f32 = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0]!;

const edgeValues = [
  0,
  -0,
  1,
  -1,
  FLOAT16_MAX,
  -FLOAT16_MAX,
  65519.99, // rounds down to 65504
  65520, // the tie: rounds to even, i.e. to inf
  65536,
  1e10,
  -1e10,
  Infinity,
  -Infinity,
  2 ** -14, // smallest normal
  2 ** -14 - 2 ** -25, // just below: rounds back up to the smallest normal (tie → even mantissa)
  2 ** -14 - 2 ** -24, // the largest subnormal exactly
  FLOAT16_MIN_POSITIVE,
  -FLOAT16_MIN_POSITIVE,
  2 ** -25, // tie between 0 and the smallest subnormal: to even, 0
  f32(0x33000001), // just above 2^-25: the smallest subnormal
  3 * 2 ** -26, // 1.5 units of 2^-25 steps: rounds to one unit
  3 * 2 ** -25, // tie between units 1 and 2: to even, 2
  1e-30,
  f32(0x00000001), // the smallest float32 subnormal
  1 + 2 ** -11, // tie: to even, 1
  1 + 3 * 2 ** -11, // tie: to even, 1 + 2^-9
  1 + 2 ** -11 + 2 ** -20, // above the tie: up
  0.1,
  -0.333333,
  3.14159265,
  2048.5,
  4097,
];

describe('float32ToFloat16Bits', () => {
  it('matches ONNX Runtime bit for bit on edge values', async () => {
    const values = Float32Array.from(edgeValues);
    const expected = await ortCast(values);
    const ours = Uint16Array.from(values, float32ToFloat16Bits);
    const diffs = [...values].flatMap((v, i) =>
      ours[i] === expected[i]
        ? []
        : [`${v}: ours 0x${ours[i]!.toString(16)} ORT 0x${expected[i]!.toString(16)}`],
    );
    expect(diffs).toEqual([]);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
  });

  it('matches ONNX Runtime on 200 000 random bit patterns over every exponent', async () => {
    const rng = createRng(11);
    const bits = new Uint32Array(200_000);
    for (let i = 0; i < bits.length; i++) bits[i] = Math.floor(rng() * 2 ** 32) >>> 0;
    const values = new Float32Array(bits.buffer);
    const expected = await ortCast(values);
    let mismatches = 0;
    let firstMismatch = '';
    for (let i = 0; i < values.length; i++) {
      const ours = float32ToFloat16Bits(values[i]!);
      const same = Number.isNaN(values[i]!)
        ? (ours & 0x7c00) === 0x7c00 && (ours & 0x3ff) !== 0 && (expected[i]! & 0x3ff) !== 0
        : ours === expected[i];
      if (!same) {
        mismatches++;
        firstMismatch ||= `bits 0x${bits[i]!.toString(16)}: ours 0x${ours.toString(16)} ORT 0x${expected[i]!.toString(16)}`;
      }
    }
    expect(firstMismatch).toBe('');
    expect(mismatches).toBe(0);
  });

  it('keeps NaN a NaN, with its sign', () => {
    const nan = float32ToFloat16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
    expect(Number.isNaN(float16BitsToNumber(nan))).toBe(true);
    expect(float32ToFloat16Bits(f32(0xffc00000)) & 0x8000).toBe(0x8000);
  });

  it('round-trips every float16 value exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = float16BitsToNumber(h);
      if (Number.isNaN(v)) continue;
      expect(float32ToFloat16Bits(v)).toBe(h);
    }
  });
});

describe('convertToFloat16', () => {
  it('raises tiny values to the smallest float16 and clamps large ones, keeping 0, NaN and ±inf', () => {
    const input = [0, -0, 1e-9, -1e-9, 1e5, -1e5, Infinity, -Infinity, NaN, 0.5];
    const c = convertToFloat16(input);
    const back = [...c.bits].map(float16BitsToNumber);
    expect(back.slice(0, 8)).toEqual([
      0,
      -0,
      FLOAT16_MIN_POSITIVE,
      -FLOAT16_MIN_POSITIVE,
      65504,
      -65504,
      Infinity,
      -Infinity,
    ]);
    expect(Number.isNaN(back[8])).toBe(true);
    expect(back[9]).toBe(0.5);
    expect(c.raisedTiny).toBe(2);
    expect(c.clampedLarge).toBe(2);
  });

  it('honours another minimum (onnxconverter-common uses 1e-7)', () => {
    const c = convertToFloat16([1e-8, 2e-7], 1e-7);
    expect(c.raisedTiny).toBe(1);
    // 1e-7 itself is not a float16: its nearest is two subnormal steps.
    expect(float16BitsToNumber(c.bits[0]!)).toBe(2 * FLOAT16_MIN_POSITIVE);
  });
});
