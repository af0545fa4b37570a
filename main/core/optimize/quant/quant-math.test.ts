import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { createModelBuilder, encodeModel } from '../../onnx';
import { createRng } from '../../../../test/models';
import {
  computeScaleZeroPoint,
  dequantizeArray,
  dequantizeArrayPerChannel,
  quantizeArray,
  quantizeArrayPerChannel,
  quantizeBias,
  quantizeWeightPerChannel,
  quantizeWeightPerTensor,
  quantRange,
  roundHalfToEven,
  sqnrDb,
  type QuantType,
} from './quant-math';

const qDataType = (q: QuantType) => (q === 'uint8' ? DT.UINT8 : DT.INT8);
const qArray = (q: QuantType, values: number[]) =>
  q === 'uint8' ? Uint8Array.from(values) : Int8Array.from(values);

/** Runs a one-node QuantizeLinear (or DequantizeLinear) model in ONNX Runtime. */
async function ortQuantize(
  x: Float32Array,
  dims: number[],
  scales: number[],
  zps: number[],
  qType: QuantType,
  axis?: number,
): Promise<Int8Array | Uint8Array> {
  const perChannel = axis !== undefined;
  const b = createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, dims)
    .output('y', qDataType(qType), dims)
    .initializer('s', DT.FLOAT, perChannel ? [scales.length] : [], Float32Array.from(scales))
    .initializer('zp', qDataType(qType), perChannel ? [zps.length] : [], qArray(qType, zps))
    .node('QuantizeLinear', ['x', 's', 'zp'], ['y'], perChannel ? { axis } : {});
  const session = await ort.InferenceSession.create(encodeModel(b.build()), { logSeverityLevel: 3 });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', x, dims) });
    return out.y!.data as Int8Array | Uint8Array;
  } finally {
    await session.release();
  }
}

async function ortDequantize(
  q: Int8Array | Uint8Array | Int32Array,
  dims: number[],
  scales: number[],
  zps: number[],
  axis?: number,
): Promise<Float32Array> {
  const perChannel = axis !== undefined;
  const [type, name] =
    q instanceof Uint8Array
      ? [DT.UINT8, 'uint8' as const]
      : q instanceof Int8Array
        ? [DT.INT8, 'int8' as const]
        : [DT.INT32, 'int32' as const];
  const zpData =
    type === DT.UINT8 ? Uint8Array.from(zps) : type === DT.INT8 ? Int8Array.from(zps) : Int32Array.from(zps);
  const b = createModelBuilder({ opset: 13 })
    .input('q', type, dims)
    .output('y', DT.FLOAT, dims)
    .initializer('s', DT.FLOAT, perChannel ? [scales.length] : [], Float32Array.from(scales))
    .initializer('zp', type, perChannel ? [zps.length] : [], zpData)
    .node('DequantizeLinear', ['q', 's', 'zp'], ['y'], perChannel ? { axis } : {});
  const session = await ort.InferenceSession.create(encodeModel(b.build()), { logSeverityLevel: 3 });
  try {
    const out = await session.run({ q: new ort.Tensor(name, q, dims) });
    return out.y!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Ties (k + 0.5)·scale, saturation, infinities and ±0: where a sloppy rounding or clamp shows. */
function edgeValues(scale: number): Float32Array {
  const v: number[] = [0, -0, Infinity, -Infinity, 1e30, -1e30, 3.4e38, -3.4e38];
  for (let k = -300; k <= 300; k++)
    v.push((k + 0.5) * scale, k * scale, (k + 0.49999) * scale, (k + 0.50001) * scale);
  const rng = createRng(11);
  for (let i = 0; i < 2000; i++) v.push((rng() * 2 - 1) * 300 * scale);
  return Float32Array.from(v);
}

describe('roundHalfToEven', () => {
  it('rounds ties to the even neighbour and everything else to nearest', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5].map(roundHalfToEven)).toEqual([0, 2, 2, -0, -2, -2, 4]);
    expect([2.4999999, 2.5000001, -7.5, 1e20, -3.2].map(roundHalfToEven)).toEqual([2, 3, -8, 1e20, -3]);
    expect(roundHalfToEven(Infinity)).toBe(Infinity);
  });
});

describe('quantizeArray / dequantizeArray match ONNX Runtime bit for bit', () => {
  const cases: { qType: QuantType; scale: number; zp: number }[] = [
    { qType: 'uint8', scale: 1, zp: 0 },
    { qType: 'uint8', scale: 0.1, zp: 128 },
    { qType: 'uint8', scale: 0.0235, zp: 201 },
    { qType: 'int8', scale: 1, zp: 0 },
    { qType: 'int8', scale: 0.1, zp: -10 },
    { qType: 'int8', scale: 3.7e-3, zp: -128 },
    { qType: 'int8', scale: 12.5, zp: 127 },
  ];
  for (const { qType, scale, zp } of cases) {
    it(`${qType} scale ${scale} zp ${zp}`, async () => {
      const x = edgeValues(scale);
      const expected = await ortQuantize(x, [x.length], [scale], [zp], qType);
      const actual = quantizeArray(x, scale, zp, qType);
      expect(actual.constructor).toBe(expected.constructor);
      const mismatches = [...actual].flatMap((v, i) => (v === expected[i] ? [] : [[x[i], v, expected[i]]]));
      expect(mismatches).toEqual([]);
      // Saturation really happened, ties really occurred.
      expect(Math.max(...actual)).toBe(qType === 'uint8' ? 255 : 127);
      expect(Math.min(...actual)).toBe(qType === 'uint8' ? 0 : -128);

      const deq = await ortDequantize(expected, [expected.length], [Math.fround(scale)], [zp]);
      expect([...dequantizeArray(expected, scale, zp)]).toEqual([...deq]);
    });
  }

  it('per-channel along axis 0 and 1 (opset 13 axis attribute)', async () => {
    const rng = createRng(3);
    const dims = [4, 3, 5];
    const x = Float32Array.from({ length: 60 }, () => (rng() * 2 - 1) * 20);
    for (const [axis, n] of [
      [0, 4],
      [1, 3],
      [2, 5],
    ] as const) {
      const scales = Array.from({ length: n }, (_, i) => Math.fround(0.05 * (i + 1)));
      const zps = Array.from({ length: n }, (_, i) => 100 + 20 * i);
      const expected = await ortQuantize(x, dims, scales, zps, 'uint8', axis);
      expect([...quantizeArrayPerChannel(x, dims, axis, scales, zps, 'uint8')]).toEqual([...expected]);
      const deq = await ortDequantize(expected, dims, scales, zps, axis);
      expect([...dequantizeArrayPerChannel(expected, dims, axis, scales, zps)]).toEqual([...deq]);
    }
  });

  it('int32 bias dequantizes as DequantizeLinear computes it', async () => {
    const q = Int32Array.from([0, 1, -1, 123456, -987654, 2147483647, -2147483648]);
    const deq = await ortDequantize(q, [q.length], [Math.fround(1.3e-5)], [0]);
    expect([...dequantizeArray(q, 1.3e-5, 0)]).toEqual([...deq]);
  });
});

describe('computeScaleZeroPoint (ORT compute_scale_zp)', () => {
  it('widens the range to include zero and uses the full integer range', () => {
    expect(computeScaleZeroPoint(0, 2.55, 'uint8', { symmetric: false })).toEqual({
      scale: Math.fround(2.55 / 255),
      zeroPoint: 0,
    });
    // [1, 2] becomes [0, 2].
    expect(computeScaleZeroPoint(1, 2, 'uint8', { symmetric: false }).zeroPoint).toBe(0);
    const neg = computeScaleZeroPoint(-1, 0, 'uint8', { symmetric: false });
    expect(neg.zeroPoint).toBe(255);
    const sym = computeScaleZeroPoint(-0.5, 1.27, 'int8', { symmetric: true });
    expect(sym).toEqual({ scale: Math.fround(2.54 / 254), zeroPoint: 0 });
    expect(computeScaleZeroPoint(-3, 1, 'uint8', { symmetric: true }).zeroPoint).toBe(128);
    expect(computeScaleZeroPoint(0, 0, 'int8', { symmetric: true })).toEqual({ scale: 1, zeroPoint: 0 });
    expect(computeScaleZeroPoint(-1e-40, 1e-40, 'uint8', { symmetric: false })).toEqual({
      scale: 1,
      zeroPoint: 0,
    });
  });

  it('ranges: int8 symmetric [−127, 127], asymmetric [−128, 127], reduce_range 7 bits', () => {
    expect(quantRange('int8', { symmetric: true })).toEqual({ qmin: -127, qmax: 127 });
    expect(quantRange('int8', { symmetric: false })).toEqual({ qmin: -128, qmax: 127 });
    expect(quantRange('int8', { reduceRange: true })).toEqual({ qmin: -64, qmax: 64 });
    expect(quantRange('uint8', { reduceRange: true })).toEqual({ qmin: 0, qmax: 127 });
    expect(computeScaleZeroPoint(-1, 3, 'int8', { symmetric: false })).toEqual({
      scale: Math.fround(4 / 255),
      zeroPoint: roundHalfToEven(-128 + 1 / (4 / 255)),
    });
  });

  it('quantizing the range end points lands on qmin/qmax and 0 is exact', () => {
    const { scale, zeroPoint } = computeScaleZeroPoint(-0.731, 2.917, 'uint8', { symmetric: false });
    const q = quantizeArray([-0.731, 0, 2.917], scale, zeroPoint, 'uint8');
    expect(q[0]).toBeLessThanOrEqual(1);
    expect(q[2]).toBeGreaterThanOrEqual(254);
    expect(dequantizeArray([q[1]!], scale, zeroPoint)[0]).toBe(0);
  });
});

describe('weights and bias', () => {
  it('per-tensor symmetric int8 weights: zp 0, absmax maps to ±127', () => {
    const w = Float32Array.from([-0.5, 0.25, 1.27, -1.0, 0]);
    const q = quantizeWeightPerTensor(w, 'int8', true);
    expect(q.zeroPoint).toBe(0);
    expect(q.scale).toBe(Math.fround(2.54 / 254));
    expect([...q.data]).toEqual([-50, 25, 127, -100, 0]);
  });

  it('per-channel: one scale per slice along the axis (Conv OIHW axis 0, MatMul [K,N] axis 1)', () => {
    // 2 output channels × 1 × 1 × 2
    const conv = quantizeWeightPerChannel(
      Float32Array.from([1, -2, 0.1, 0.05]),
      [2, 1, 1, 2],
      0,
      'int8',
      true,
    );
    expect([...conv.scales]).toEqual([Math.fround(4 / 254), Math.fround(0.2 / 254)]);
    expect([...conv.data]).toEqual([64, -127, 127, 64]);
    expect([...conv.zeroPoints]).toEqual([0, 0]);
    const mm = quantizeWeightPerChannel(Float32Array.from([1, 10, -1, -10, 0.5, 5]), [3, 2], 1, 'int8', true);
    expect([...mm.scales]).toEqual([Math.fround(2 / 254), Math.fround(20 / 254)]);
    expect([...mm.data]).toEqual([127, 127, -127, -127, 64, 64]);
    expect(mm.axis).toBe(1);
    const neg = quantizeWeightPerChannel(Float32Array.from([1, 2, 3, 4]), [2, 2], -1, 'int8', true);
    expect(neg.axis).toBe(1);
  });

  it('bias: int32, scale = input scale × weight scale, clamps with a count', () => {
    const b = quantizeBias([0.5, -0.25, 1e9], 0.01, [0.5, 0.25, 1e-6]);
    expect([...b.scales]).toEqual([
      Math.fround(0.005),
      Math.fround(0.0025),
      Math.fround(Math.fround(0.01) * Math.fround(1e-6)),
    ]);
    expect([...b.data].slice(0, 2)).toEqual([100, -100]);
    expect(b.data[2]).toBe(2147483647);
    expect(b.clamped).toBe(1);
    const perTensor = quantizeBias([0.0125, -0.0375], 0.05, [0.1]);
    // 0.0125 / 0.005 = 2.5 → 2 (tie to even); −7.5 → −8.
    expect([...perTensor.data]).toEqual([2, -8]);
    expect(perTensor.scales.length).toBe(1);
  });

  it('sqnr: infinite for identical, ~6 dB per bit for uniform quantization', () => {
    expect(sqnrDb([1, 2], [1, 2])).toBe(Infinity);
    const rng = createRng(9);
    const x = Float32Array.from({ length: 10000 }, () => rng() * 2 - 1);
    const { scale, zeroPoint } = computeScaleZeroPoint(-1, 1, 'int8', { symmetric: true });
    const db = sqnrDb(x, dequantizeArray(quantizeArray(x, scale, zeroPoint, 'int8'), scale, zeroPoint));
    expect(db).toBeGreaterThan(45);
    expect(db).toBeLessThan(52);
  });
});
