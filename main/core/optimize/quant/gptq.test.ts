import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../test/models/prng';
import {
  accumulateSecondMoments,
  inverseCholeskyUpper,
  quantizeWeightsInt8,
  symmetrize,
  type Int8Weights,
} from './gptq';

const gaussian = (rng: () => number) => rng() + rng() + rng() - 1.5;

function dequantized(q: Int8Weights, rows: number, cols: number, kernelSize: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = q.q[r * cols + c]! * q.rowScale[r]! * q.colScale[Math.floor(c / kernelSize)]!;
    }
  }
  return out;
}

/** Σ over samples of ‖(W − Ŵ)·x‖², the error the layer's output sees. */
function outputError(
  w: Float32Array,
  wq: Float64Array,
  xs: Float64Array[],
  rows: number,
  cols: number,
): number {
  let e = 0;
  for (const x of xs) {
    for (let r = 0; r < rows; r++) {
      let d = 0;
      for (let c = 0; c < cols; c++) d += (w[r * cols + c]! - wq[r * cols + c]!) * x[c]!;
      e += d * d;
    }
  }
  return e;
}

/** Inputs whose channels differ in scale and move together, as activations do. */
function correlatedInputs(count: number, cols: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  const scale = Array.from({ length: cols }, (_, c) => (c % 7 === 0 ? 8 : 0.5 + rng()));
  return Array.from({ length: count }, () => {
    const common = gaussian(rng);
    return Float64Array.from({ length: cols }, (_, c) => scale[c]! * (0.7 * common + gaussian(rng)));
  });
}

describe('inverseCholeskyUpper', () => {
  it('returns U with H · UᵀU = I, and null for a singular H', () => {
    const n = 6;
    const xs = correlatedInputs(40, n, 1);
    const h = new Float64Array(n * n);
    accumulateSecondMoments(h, n, xs.length, (p, c) => xs[p]![c]!);
    symmetrize(h, n);
    const u = inverseCholeskyUpper(h)!;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) {
          let inv = 0;
          for (let m = 0; m < n; m++) inv += u[m * n + k]! * u[m * n + j]!;
          s += h[i * n + k]! * inv;
        }
        expect(s).toBeCloseTo(i === j ? 1 : 0, 6);
      }
    }
    expect(inverseCholeskyUpper(new Float64Array(4))).toBeNull();
  });
});

describe('quantizeWeightsInt8', () => {
  it('without inputs: every weight within half a step of its stored value, int8 in [-127, 127]', () => {
    const rows = 5;
    const cols = 12;
    const rng = createRng(2);
    const w = Float32Array.from({ length: rows * cols }, (_, i) => gaussian(rng) * (i % 12 === 3 ? 40 : 1));
    const q = quantizeWeightsInt8(w, rows, cols, 3);
    expect(q.colScale).toHaveLength(4);
    const back = dequantized(q, rows, cols, 3);
    for (let i = 0; i < w.length; i++) {
      const step = q.rowScale[Math.floor(i / cols)]! * q.colScale[Math.floor((i % cols) / 3)]!;
      expect(Math.abs(w[i]! - back[i]!)).toBeLessThanOrEqual(step / 2 + 1e-6);
      expect(Math.abs(q.q[i]!)).toBeLessThanOrEqual(127);
    }
  });

  it('with the inputs second moments (GPTQ): less output error than rounding to nearest on correlated inputs', () => {
    const rows = 16;
    const cols = 48;
    const rng = createRng(3);
    const w = Float32Array.from({ length: rows * cols }, () => gaussian(rng));
    const xs = correlatedInputs(200, cols, 4);
    const h = new Float64Array(cols * cols);
    accumulateSecondMoments(h, cols, xs.length, (p, c) => xs[p]![c]!);
    symmetrize(h, cols);
    const rtn = dequantized(quantizeWeightsInt8(w, rows, cols, 1), rows, cols, 1);
    const gptq = dequantized(quantizeWeightsInt8(w, rows, cols, 1, h), rows, cols, 1);
    const held = correlatedInputs(100, cols, 5);
    expect(outputError(w, gptq, held, rows, cols)).toBeLessThan(0.8 * outputError(w, rtn, held, rows, cols));
  });

  it('an input that never carries a value gets zero weights (it cannot change the output)', () => {
    const rows = 3;
    const cols = 4;
    const w = Float32Array.of(1, 2, 3, 4, -1, -2, -3, -4, 0.5, 0.5, 0.5, 0.5);
    const xs = [Float64Array.of(1, 0, 2, 1), Float64Array.of(-1, 0, 1, 3), Float64Array.of(2, 0, -1, 1)];
    const h = new Float64Array(cols * cols);
    accumulateSecondMoments(h, cols, xs.length, (p, c) => xs[p]![c]!);
    symmetrize(h, cols);
    const q = quantizeWeightsInt8(w, rows, cols, 1, h);
    for (let r = 0; r < rows; r++) expect(q.q[r * cols + 1]).toBe(0);
  });
});
