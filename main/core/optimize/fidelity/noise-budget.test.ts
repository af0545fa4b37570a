import { describe, expect, it } from 'vitest';
import type { OutputFidelity, TensorFidelity } from '../../../../shared/schemas/optimize';
import { COSINE_0999_DB, noiseBudgetOf, noiseBudgetWarning } from './noise-budget';

const tensor = (name: string, roundingSqnrDb: number | null | undefined): TensorFidelity => ({
  name,
  producer: 'Conv',
  node: name,
  sqnrDb: 10,
  ...(roundingSqnrDb === undefined ? {} : { roundingSqnrDb }),
});
const output = (sqnrDb: number | null): OutputFidelity => ({
  name: `y${sqnrDb}`,
  sqnrDb,
  cosine: null,
  maxAbsError: 0,
  meanAbsError: 0,
  top1Agreement: null,
});

describe('noiseBudgetOf', () => {
  it('sums the rounding noise powers and measures the gain against the worst output', () => {
    const budget = noiseBudgetOf(
      [tensor('a', 50), tensor('b', 30), tensor('c', 40), tensor('d', null), tensor('e', undefined)],
      [output(35), output(20), output(null)],
    );
    const summed = -10 * Math.log10(1e-3 + 1e-4 + 1e-5);
    expect(budget).not.toBeNull();
    expect(budget!.tensors).toBe(3);
    expect(budget!.medianDb).toBe(40);
    expect(budget!.bestTenthDb).toBe(50);
    expect(budget!.summedDb).toBeCloseTo(summed, 10);
    expect(budget!.outputDb).toBe(20);
    expect(budget!.gainDb).toBeCloseTo(20 - summed, 10);
    // Every tensor 7 dB better moves the output from 20 to 27 dB.
    expect(budget!.neededMedianDb).toBe(40 + COSINE_0999_DB - 20);
  });

  it('takes the middle pair for an even count, and the best tenth from the top', () => {
    const budget = noiseBudgetOf(
      Array.from({ length: 20 }, (_, i) => tensor(`t${i}`, 20 + i)),
      [output(20)],
    )!;
    expect(budget.medianDb).toBe(29.5);
    // 18 of the 20 are below it, 2 (the best tenth) at or above.
    expect(budget.bestTenthDb).toBe(38);
  });

  it('is null without a measured rounding or an output SQNR', () => {
    expect(noiseBudgetOf([tensor('a', null), tensor('b', undefined)], [output(20)])).toBeNull();
    expect(noiseBudgetOf([tensor('a', 30)], [output(null)])).toBeNull();
    expect(noiseBudgetOf([], [])).toBeNull();
  });
});

describe('noiseBudgetWarning', () => {
  const budget = {
    tensors: 193,
    medianDb: 37.9,
    bestTenthDb: 44.2,
    summedDb: 11,
    outputDb: 13.5,
    gainDb: 2.5,
    neededMedianDb: 51.4,
  };

  it('says in plain words when the median rounding would need more than the best tenth get', () => {
    const text = noiseBudgetWarning(budget)!;
    expect(text).toContain('rounds 193 activations to 8 bits');
    expect(text).toContain('and the network damps their noise by only 2.5 dB');
    expect(text).toContain('(11.0 dB summed, 13.5 dB at the output)');
    expect(text).toContain('51.4 dB of its own: it has 37.9 dB, and even the best tenth get only 44.2 dB');
    expect(text).toMatch(/--method auto/);
    expect(noiseBudgetWarning({ ...budget, gainDb: -3 })).toContain('amplifies their noise by 3.0 dB');
  });

  it('stays silent when the output is good enough or a better grid use could get there', () => {
    expect(noiseBudgetWarning(null)).toBeNull();
    expect(noiseBudgetWarning({ ...budget, outputDb: COSINE_0999_DB })).toBeNull();
    expect(noiseBudgetWarning({ ...budget, neededMedianDb: 44.2 })).toBeNull();
  });
});
