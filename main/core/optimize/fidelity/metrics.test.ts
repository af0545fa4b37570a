import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  float16BitsToNumber as halfBitsToFloat,
  float32ToFloat16Bits as toHalfBits,
} from '../passes/fp16-bits';
import { argMax, classScoreRows } from './class-scores';
import { addPairs, cosine, createErrorSums, meanAbs, sqnrDb, SQNR_CAP_DB } from './error-metrics';
import { median } from './latency';
import { tensorValues } from './tensor-values';

const sums = (x: number[], y: number[]) => {
  const s = createErrorSums();
  addPairs(s, x, y);
  return s;
};

describe('error metrics', () => {
  it('computes SQNR, cosine and absolute errors from running sums', () => {
    const s = sums([3, 4], [3, 3]);
    expect(sqnrDb(s)).toBeCloseTo(10 * Math.log10(25 / 1), 12);
    expect(cosine(s)).toBeCloseTo(21 / (5 * Math.sqrt(18)), 12);
    expect(s.maxAbs).toBe(1);
    expect(meanAbs(s)).toBe(0.5);
    // Summing in two calls is the same as in one.
    const split = createErrorSums();
    addPairs(split, [3], [3]);
    addPairs(split, [4], [3]);
    expect(split).toEqual(s);
  });

  it('caps an exact match, and leaves undefined cases null', () => {
    expect(sqnrDb(sums([1, -2], [1, -2]))).toBe(SQNR_CAP_DB);
    expect(sqnrDb(sums([0, 0], [0, 0]))).toBe(SQNR_CAP_DB);
    expect(cosine(sums([0, 0], [0, 0]))).toBe(1);
    expect(sqnrDb(sums([0, 0], [1, 0]))).toBeNull();
    expect(cosine(sums([0, 0], [1, 0]))).toBeNull();
    expect(sqnrDb(createErrorSums())).toBeNull();
    expect(sqnrDb(sums([1e6], [1e6 + 1e-6]))).toBe(SQNR_CAP_DB);
  });

  it('leaves NaN and infinite pairs out, and counts them', () => {
    const s = sums([1, NaN, 2, Infinity], [1, 1, 1, 1]);
    expect(s.count).toBe(2);
    expect(s.nonFinite).toBe(2);
    expect(s.maxAbs).toBe(1);
  });
});

describe('class scores', () => {
  it('follows the documented rule', () => {
    expect(classScoreRows('float32', [1, 10])).toEqual({ rows: 1, classes: 10 });
    expect(classScoreRows('float32', [4, 10])).toEqual({ rows: 4, classes: 10 });
    expect(classScoreRows('float16', [1, 1, 1000])).toEqual({ rows: 1, classes: 1000 });
    expect(classScoreRows('float32', [1, 2, 10])).toBeNull();
    expect(classScoreRows('float32', [10])).toBeNull();
    expect(classScoreRows('float32', [4, 1])).toBeNull();
    expect(classScoreRows('int64', [1, 10])).toBeNull();
  });

  it('arg-max takes the first maximum and never a NaN', () => {
    expect(argMax([1, 3, 3, 2], 0, 4)).toBe(1);
    expect(argMax([NaN, 1, 0], 0, 3)).toBe(1);
    expect(argMax([9, 9, 0, 5], 2, 2)).toBe(1);
    expect(argMax([NaN, NaN], 0, 2)).toBe(-1);
  });
});

describe('helpers', () => {
  it('median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('reads float16, int64 and bool tensors as numbers', () => {
    const halves = [0, 1, -2.5, 65504, 2 ** -24, 0.1];
    const bits = Uint16Array.from(halves, toHalfBits);
    const values = tensorValues(new ort.Tensor('float16', bits, [6]))!;
    expect(Array.from(values)).toEqual(halves.map((v) => halfBitsToFloat(toHalfBits(v))));
    expect(values[5]).toBeCloseTo(0.1, 3);
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(Number.isNaN(halfBitsToFloat(toHalfBits(NaN)))).toBe(true);
    expect(Array.from(tensorValues(new ort.Tensor('int64', BigInt64Array.from([-3n, 7n]), [2]))!)).toEqual([
      -3, 7,
    ]);
    expect(Array.from(tensorValues(new ort.Tensor('bool', Uint8Array.from([1, 0]), [2]))!)).toEqual([1, 0]);
    expect(tensorValues(new ort.Tensor('string', ['a'], [1]))).toBeNull();
  });
});
