/**
 * Quantization arithmetic shared by the int8 passes, written to match the ONNX spec (QuantizeLinear /
 * DequantizeLinear, as ONNX Runtime's CPU kernels compute them) and ONNX Runtime's quantization tool
 * (compute_scale_zp, bias quantization) bit for bit:
 *
 * - QuantizeLinear:   q = saturate(roundHalfToEven(x / scale) + zp), the division in float32;
 * - DequantizeLinear: x = (q − zp) · scale, in float32;
 * - scale/zp from a real range [rmin, rmax] widened to include 0 (so 0 is exact), symmetric → ±absmax.
 *
 * Every function takes and returns plain numbers / typed arrays: no ONNX protobuf here.
 */
import { TensorProto_DataType as DT } from 'onnx-buf';

export type QuantType = 'uint8' | 'int8';
type QuantArray = Int8Array | Uint8Array;

type RangeOptions = {
  /** Range ±max(|rmin|, |rmax|): zero point 0 for int8, 128 for uint8. */
  symmetric: boolean;
  /** 7-bit range (int8 [−64, 64], uint8 [0, 127]) for U8S8 kernels without VNNI. */
  reduceRange?: boolean;
};

export type ScaleZeroPoint = { scale: number; zeroPoint: number };

/** Smallest normal float32: a scale below it is unusable (ORT's numpy.finfo(float32).tiny). */
const FLOAT32_TINY = 1.1754943508222875e-38;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** ONNX element type of a quantized tensor. */
export function quantDataType(qType: QuantType): number {
  return qType === 'uint8' ? DT.UINT8 : DT.INT8;
}

/** Integer range of a quantized type, as ORT's get_qmin_qmax_for_qType. */
export function quantRange(
  qType: QuantType,
  opts: Partial<RangeOptions> = {},
): { qmin: number; qmax: number } {
  if (qType === 'uint8') return opts.reduceRange ? { qmin: 0, qmax: 127 } : { qmin: 0, qmax: 255 };
  if (opts.reduceRange) return { qmin: -64, qmax: 64 };
  // Symmetric int8 drops −128 so that ±absmax map to ±127 exactly.
  return opts.symmetric ? { qmin: -127, qmax: 127 } : { qmin: -128, qmax: 127 };
}

/** Full saturation bounds of the storage type (QuantizeLinear saturates to these, not to a reduced range). */
function storageRange(qType: QuantType): { qmin: number; qmax: number } {
  return qType === 'uint8' ? { qmin: 0, qmax: 255 } : { qmin: -128, qmax: 127 };
}

/** Round to nearest, ties to even (IEEE default, numpy.round, std::nearbyint): Math.round(2.5) is 3, this is 2. */
export function roundHalfToEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round rounds ties up; pull back an odd result of an exact tie.
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * Scale and zero point for the real range [rmin, rmax], as ORT's compute_scale_zp: the range is widened to
 * include 0; symmetric uses ±absmax; scale = (rmax − rmin)/(qmax − qmin) (float64, stored as float32);
 * zp = round(qmin − rmin/scale). A scale below float32's smallest normal (a constant-zero tensor) gives
 * scale 1, zp 0.
 */
export function computeScaleZeroPoint(
  rmin: number,
  rmax: number,
  qType: QuantType,
  opts: RangeOptions,
): ScaleZeroPoint {
  if (Number.isNaN(rmin) || Number.isNaN(rmax)) {
    throw new RangeError(`computeScaleZeroPoint: range [${rmin}, ${rmax}] is not a number`);
  }
  const { qmin, qmax } = quantRange(qType, opts);
  let lo = Math.fround(Math.min(rmin, 0));
  let hi = Math.fround(Math.max(rmax, 0));
  if (opts.symmetric) {
    const absmax = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -absmax;
    hi = absmax;
  }
  // ORT subtracts in float32, then divides in float64.
  const scale64 = Math.fround(hi - lo) / (qmax - qmin);
  if (!(scale64 >= FLOAT32_TINY) || !Number.isFinite(scale64)) {
    if (!Number.isFinite(scale64)) {
      throw new RangeError(`computeScaleZeroPoint: range [${rmin}, ${rmax}] is not finite`);
    }
    return { scale: 1, zeroPoint: 0 };
  }
  const zeroPoint = opts.symmetric
    ? roundHalfToEven((qmin + qmax) / 2)
    : clampInt(roundHalfToEven(qmin - lo / scale64), qmin, qmax);
  return { scale: Math.fround(scale64), zeroPoint };
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function allocate(qType: QuantType, n: number): QuantArray {
  return qType === 'uint8' ? new Uint8Array(n) : new Int8Array(n);
}

/** QuantizeLinear with a per-tensor scale and zero point. */
export function quantizeArray(
  data: ArrayLike<number>,
  scale: number,
  zeroPoint: number,
  qType: QuantType,
): QuantArray {
  const out = allocate(qType, data.length);
  const { qmin, qmax } = storageRange(qType);
  const s = Math.fround(scale);
  for (let i = 0; i < data.length; i++) {
    const v = roundHalfToEven(Math.fround(Math.fround(data[i]!) / s)) + zeroPoint;
    out[i] = Number.isNaN(v) ? zeroPoint : v < qmin ? qmin : v > qmax ? qmax : v;
  }
  return out;
}

/** DequantizeLinear with a per-tensor scale and zero point: (q − zp) · scale in float32. */
export function dequantizeArray(q: ArrayLike<number>, scale: number, zeroPoint: number): Float32Array {
  const out = new Float32Array(q.length);
  const s = Math.fround(scale);
  // (q − zp) is an exact small integer, so the double product rounds to the same float32 as ORT's.
  for (let i = 0; i < q.length; i++) out[i] = (q[i]! - zeroPoint) * s;
  return out;
}

/** Geometry of a per-channel slice along `axis`: element i belongs to channel floor(i / inner) % channels. */
function channelGeometry(dims: readonly number[], axis: number): { channels: number; inner: number } {
  if (!Number.isInteger(axis) || axis < -dims.length || axis >= dims.length) {
    throw new RangeError(`per-channel axis ${axis} is outside a tensor of rank ${dims.length}`);
  }
  const a = axis < 0 ? axis + dims.length : axis;
  let inner = 1;
  for (let i = a + 1; i < dims.length; i++) inner *= dims[i]!;
  return { channels: dims[a]!, inner };
}

function checkLength(data: ArrayLike<number>, dims: readonly number[]): void {
  const n = dims.reduce((p, d) => p * d, 1);
  if (data.length !== n) {
    throw new RangeError(`data has ${data.length} values but dims [${dims.join(', ')}] need ${n}`);
  }
}

/** Min and max of each channel along `axis` (NaN ignored; an empty channel gives [0, 0]). */
function channelMinMax(
  data: ArrayLike<number>,
  dims: readonly number[],
  axis: number,
): { mins: Float32Array; maxs: Float32Array } {
  checkLength(data, dims);
  const { channels, inner } = channelGeometry(dims, axis);
  const mins = new Float32Array(channels).fill(Infinity);
  const maxs = new Float32Array(channels).fill(-Infinity);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const v = data[i]!;
    if (v < mins[c]!) mins[c] = v;
    if (v > maxs[c]!) maxs[c] = v;
  }
  for (let c = 0; c < channels; c++) {
    if (mins[c] === Infinity) mins[c] = 0;
    if (maxs[c] === -Infinity) maxs[c] = 0;
  }
  return { mins, maxs };
}

/** Min and max of all values (NaN ignored; empty gives [0, 0]). */
export function arrayMinMax(data: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === Infinity ? { min: 0, max: 0 } : { min, max };
}

/** QuantizeLinear with one scale/zp per slice along `axis` (opset ≥ 13 `axis` attribute). */
export function quantizeArrayPerChannel(
  data: ArrayLike<number>,
  dims: readonly number[],
  axis: number,
  scales: ArrayLike<number>,
  zeroPoints: ArrayLike<number>,
  qType: QuantType,
): QuantArray {
  checkLength(data, dims);
  const { channels, inner } = channelGeometry(dims, axis);
  if (scales.length !== channels || zeroPoints.length !== channels) {
    throw new RangeError(
      `expected ${channels} scales and zero points, got ${scales.length}/${zeroPoints.length}`,
    );
  }
  const out = allocate(qType, data.length);
  const { qmin, qmax } = storageRange(qType);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const zp = zeroPoints[c]!;
    const v = roundHalfToEven(Math.fround(Math.fround(data[i]!) / Math.fround(scales[c]!))) + zp;
    out[i] = Number.isNaN(v) ? zp : v < qmin ? qmin : v > qmax ? qmax : v;
  }
  return out;
}

/** DequantizeLinear with one scale/zp per slice along `axis`. */
export function dequantizeArrayPerChannel(
  q: ArrayLike<number>,
  dims: readonly number[],
  axis: number,
  scales: ArrayLike<number>,
  zeroPoints: ArrayLike<number>,
): Float32Array {
  checkLength(q, dims);
  const { channels, inner } = channelGeometry(dims, axis);
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = (q[i]! - zeroPoints[c]!) * Math.fround(scales[c]!);
  }
  return out;
}

type QuantizedWeight = {
  data: QuantArray;
  scale: number;
  zeroPoint: number;
};

type QuantizedWeightPerChannel = {
  data: QuantArray;
  /** One per channel along `axis` (float32 values). */
  scales: Float32Array;
  /** One per channel, same type as `data`. */
  zeroPoints: QuantArray;
  axis: number;
};

type WeightOptions = { reduceRange?: boolean };

/** A weight quantized with one scale over its own min/max (ORT's quantize_data). */
export function quantizeWeightPerTensor(
  data: ArrayLike<number>,
  qType: QuantType,
  symmetric: boolean,
  opts: WeightOptions = {},
): QuantizedWeight {
  const { min, max } = arrayMinMax(data);
  const { scale, zeroPoint } = computeScaleZeroPoint(min, max, qType, {
    symmetric,
    reduceRange: opts.reduceRange ?? false,
  });
  return { data: quantizeArray(data, scale, zeroPoint, qType), scale, zeroPoint };
}

/**
 * A weight quantized with one scale per slice along `axis` (Conv 0, ConvTranspose 1, Gemm 0 if transB else 1,
 * MatMul 1): each slice's own min/max, as ORT's quantize_weight_per_channel.
 */
export function quantizeWeightPerChannel(
  data: ArrayLike<number>,
  dims: readonly number[],
  axis: number,
  qType: QuantType,
  symmetric: boolean,
  opts: WeightOptions = {},
): QuantizedWeightPerChannel {
  const { mins, maxs } = channelMinMax(data, dims, axis);
  const channels = mins.length;
  const scales = new Float32Array(channels);
  const zeroPoints = allocate(qType, channels);
  for (let c = 0; c < channels; c++) {
    const sz = computeScaleZeroPoint(mins[c]!, maxs[c]!, qType, {
      symmetric,
      reduceRange: opts.reduceRange ?? false,
    });
    scales[c] = sz.scale;
    zeroPoints[c] = sz.zeroPoint;
  }
  const a = axis < 0 ? axis + dims.length : axis;
  return {
    data: quantizeArrayPerChannel(data, dims, a, scales, zeroPoints, qType),
    scales,
    zeroPoints,
    axis: a,
  };
}

type QuantizedBias = {
  data: Int32Array;
  /** inputScale × weightScale[c] (× beta), float32; one per weight scale. */
  scales: Float32Array;
  /** How many values fell outside int32 and were clamped (the output is then wrong for them: warn). */
  clamped: number;
};

/**
 * Bias as int32 with zero point 0 and scale inputScale × weightScale (per channel when weightScales has one
 * per output channel), as ORT's quantize_bias_static: q = clip(round(b / scale), int32). A zero scale
 * (all-zero weights) gives scale 1 so the DequantizeLinear stays valid; the bias is then stored rounded.
 */
export function quantizeBias(
  bias: ArrayLike<number>,
  inputScale: number,
  weightScales: ArrayLike<number>,
  beta = 1,
): QuantizedBias {
  const perChannel = weightScales.length !== 1;
  if (perChannel && weightScales.length !== bias.length) {
    throw new RangeError(`bias has ${bias.length} values but there are ${weightScales.length} weight scales`);
  }
  const scales = new Float32Array(weightScales.length);
  for (let c = 0; c < scales.length; c++) {
    // float32 products, as numpy float32 arrays multiply.
    let s = Math.fround(Math.fround(inputScale) * Math.fround(weightScales[c]!));
    if (beta !== 1) s = Math.fround(s * Math.fround(beta));
    scales[c] = s === 0 ? 1 : s;
  }
  const data = new Int32Array(bias.length);
  let clamped = 0;
  for (let i = 0; i < bias.length; i++) {
    const s = scales[perChannel ? i : 0]!;
    let v = roundHalfToEven(Math.fround(Math.fround(bias[i]!) / s));
    if (Number.isNaN(v)) v = 0;
    if (v < INT32_MIN) {
      v = INT32_MIN;
      clamped++;
    } else if (v > INT32_MAX) {
      v = INT32_MAX;
      clamped++;
    }
    data[i] = v;
  }
  return { data, scales, clamped };
}

/** Signal-to-quantization-noise ratio in dB: 20·log10(‖ref‖ / ‖ref − x‖); Infinity when equal. */
export function sqnrDb(reference: ArrayLike<number>, approx: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const d = r - approx[i]!;
    signal += r * r;
    noise += d * d;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}
