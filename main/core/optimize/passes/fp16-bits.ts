/**
 * IEEE 754 binary16 conversions, bit-exact with ONNX Runtime's Cast(float → float16): round to nearest, ties
 * to even, gradual underflow to subnormals, overflow to ±inf, NaN kept NaN (quiet, sign kept).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Largest finite float16. */
export const FLOAT16_MAX = 65504;
/** Smallest positive float16 (a subnormal, 2^-24). */
export const FLOAT16_MIN_POSITIVE = 2 ** -24;

/** The float16 bit pattern nearest to `x` (first rounded to float32, as a float32 tensor holds it). */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;

  if (exponent === 0xff) {
    // inf stays inf; NaN keeps its top payload bits and is forced quiet.
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal (or zero) result: shift the full significand (implicit 1 included) right, rounding.
    if (exponent === 0) return sign; // float32 subnormals are far below float16's smallest value.
    const shift = 14 - e;
    if (shift > 24) return sign;
    const significand = mantissa | 0x800000;
    return sign | roundShift(significand, shift);
  }
  // Normal: a mantissa carry rounds up into the exponent, and from the largest exponent into inf, as it should.
  return sign | (((e << 10) | (mantissa >>> 13)) + roundingIncrement(mantissa, 13, mantissa >>> 13));
}

function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  return kept + roundingIncrement(value, shift, kept);
}

/** 1 when the `shift` low bits of `value` round `kept` up (above half, or exactly half and `kept` odd). */
function roundingIncrement(value: number, shift: number, kept: number): number {
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? 1 : 0;
}

/** The value of a float16 bit pattern. */
export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

type Float16Conversion = {
  bits: Uint16Array;
  /** Non-zero values smaller in magnitude than the minimum, raised to ±minimum. */
  raisedTiny: number;
  /** Finite values beyond ±65504, lowered to ±65504 (instead of becoming ±inf). */
  clampedLarge: number;
};

/**
 * float32 values → float16 bits, keeping sign and finiteness: 0 < |x| < minPositive → ±minPositive (so a tiny
 * weight does not vanish to 0), finite |x| > 65504 → ±65504 (instead of ±inf); 0, NaN and ±inf unchanged.
 */
export function convertToFloat16(
  values: ArrayLike<number>,
  minPositive: number = FLOAT16_MIN_POSITIVE,
): Float16Conversion {
  const bits = new Uint16Array(values.length);
  let raisedTiny = 0;
  let clampedLarge = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i]!;
    const a = Math.abs(v);
    if (a !== 0 && a < minPositive) {
      v = v < 0 ? -minPositive : minPositive;
      raisedTiny++;
    } else if (a > FLOAT16_MAX && a !== Infinity) {
      v = v < 0 ? -FLOAT16_MAX : FLOAT16_MAX;
      clampedLarge++;
    }
    bits[i] = float32ToFloat16Bits(v);
  }
  return { bits, raisedTiny, clampedLarge };
}
