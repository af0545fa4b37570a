import type { Tensor } from 'onnxruntime-node';
import { float16BitsToNumber as halfBitsToFloat } from '../passes/fp16-bits';

/**
 * A tensor's elements as plain numbers, whatever its element type (float16 bits decoded, 64-bit integers
 * as doubles, bool as 0/1); null for strings, which have no numeric error.
 */
export function tensorValues(t: Tensor): ArrayLike<number> | null {
  const data = t.data;
  switch (t.type) {
    case 'string':
      return null;
    case 'float16': {
      const bits = data as Uint16Array;
      const out = new Float32Array(bits.length);
      for (let i = 0; i < bits.length; i++) out[i] = halfBitsToFloat(bits[i]!);
      return out;
    }
    case 'int64':
    case 'uint64': {
      const big = data as BigInt64Array | BigUint64Array;
      const out = new Float64Array(big.length);
      for (let i = 0; i < big.length; i++) out[i] = Number(big[i]!);
      return out;
    }
    default:
      return data as ArrayLike<number>;
  }
}
