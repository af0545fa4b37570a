import { describe, expect, it } from 'vitest';
import { cosineLearningRate, setLearningRate } from './lr-schedule';

describe('cosine learning-rate decay', () => {
  it('starts at the peak, ends at 3 % of it, and never rises', () => {
    const rates = Array.from({ length: 50 }, (_, step) => cosineLearningRate(0.01, step, 50));
    expect(rates[0]).toBeCloseTo(0.01, 12);
    expect(rates.at(-1)).toBeCloseTo(0.0003, 12);
    expect(rates[25]).toBeGreaterThan(0.004);
    expect(rates[25]).toBeLessThan(0.006);
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeLessThanOrEqual(rates[i - 1]!);
  });

  it('a single step trains at the peak rather than dividing by zero', () => {
    expect(cosineLearningRate(0.01, 0, 1)).toBeCloseTo(0.01, 12);
  });

  it('sets the rate a tfjs optimizer reads', () => {
    const optimizer = { learningRate: 1 };
    setLearningRate(optimizer, 0.5);
    expect(optimizer.learningRate).toBe(0.5);
  });
});
