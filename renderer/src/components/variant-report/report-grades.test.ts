import { describe, expect, it } from 'vitest';
import type { TensorFidelity } from '../../../../shared/schemas/optimize';
import {
  exclusionsFor,
  formatCosine,
  formatDb,
  gradeAgreement,
  gradeLatencyRatio,
  gradeSizeRatio,
  gradeSqnr,
  summarizeOutputs,
  tensorsWorstFirst,
} from './report-grades';

const tensor = (name: string, producer: string, sqnrDb: number | null): TensorFidelity => ({
  name,
  producer,
  node: null,
  sqnrDb,
});

describe('per-layer table helpers', () => {
  it('sorts worst first and puts unmeasurable tensors last', () => {
    const sorted = tensorsWorstFirst([
      tensor('a', 'Conv', 30),
      tensor('b', 'Relu', null),
      tensor('c', 'Gemm', 12),
      tensor('d', 'MaxPool', 40),
    ]);
    expect(sorted.map((t) => t.name)).toEqual(['c', 'a', 'd', 'b']);
  });

  it('excludes unnamed nodes by the tensor they produce, once each, and never a graph input', () => {
    const picked = [tensor('conv1', 'Conv', 10), tensor('conv1', 'Conv', 10), tensor('input', 'input', 20)];
    expect(exclusionsFor(picked)).toEqual(['conv1']);
  });

  it('prefers the producing node’s name when the report carries one', () => {
    const withNode = { ...tensor('conv1_out', 'Conv', 10), node: 'conv1' };
    expect(exclusionsFor([withNode, tensor('fc', 'Gemm', 9)])).toEqual(['conv1', 'fc']);
  });
});

describe('grades', () => {
  it('grade figures against the product targets', () => {
    expect(gradeSqnr(31)).toBe('good');
    expect(gradeSqnr(20)).toBe('fair');
    expect(gradeSqnr(8)).toBe('poor');
    expect(gradeSqnr(null)).toBe('neutral');
    expect(gradeSizeRatio(0.26)).toBe('good');
    expect(gradeSizeRatio(1.0)).toBe('poor');
    expect(gradeLatencyRatio(0.55)).toBe('good');
    expect(gradeLatencyRatio(1.04)).toBe('neutral');
    expect(gradeLatencyRatio(2)).toBe('poor');
    expect(gradeAgreement(0.995)).toBe('good');
    expect(gradeAgreement(0.9)).toBe('poor');
  });

  it('summarizes several outputs by the worst of each figure', () => {
    const base = { maxAbsError: 0, meanAbsError: 0 };
    const summary = summarizeOutputs([
      { ...base, name: 'boxes', sqnrDb: 18, cosine: 0.999, top1Agreement: null },
      { ...base, name: 'scores', sqnrDb: 30, cosine: 0.98, top1Agreement: 0.97 },
    ]);
    expect(summary).toEqual({ sqnrDb: 18, cosine: 0.98, top1Agreement: 0.97, worstOutput: 'boxes' });
    expect(formatDb(summary.sqnrDb)).toBe('18.0 dB');
    expect(formatCosine(0.99999)).toBe('0.999990');
  });
});
