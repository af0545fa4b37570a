import { describe, expect, it } from 'vitest';
import { candidateCounts, chooseCounts, type GroupCounts } from './latency-allocation';

describe('candidateCounts', () => {
  it('offers multiples of the block and, below it, halves; never under the floor', () => {
    expect(candidateCounts(16, 8, 0.8)).toEqual([8, 4]);
    expect(candidateCounts(16, 8, 0.5)).toEqual([8]);
    expect(candidateCounts(32, 8, 0.8)).toEqual([24, 16, 8]);
    expect(candidateCounts(8, 8, 0.9)).toEqual([4, 2]);
  });

  it('thins a wide group to a few counts, keeping the fewest allowed', () => {
    const counts = candidateCounts(512, 8, 0.9);
    expect(counts.length).toBeLessThanOrEqual(6);
    expect(counts[0]).toBe(504);
    expect(counts.at(-1)).toBe(56);
  });
});

describe('chooseCounts', () => {
  const mnist: GroupCounts[] = [
    {
      group: 1,
      size: 16,
      options: [
        { kept: 8, savedMs: 0.001 },
        { kept: 4, savedMs: 0.006 },
      ],
    },
    {
      group: 2,
      size: 32,
      options: [
        { kept: 24, savedMs: -0.002 },
        { kept: 16, savedMs: 0.006 },
        { kept: 8, savedMs: 0.0065 },
      ],
    },
    {
      group: 3,
      size: 64,
      options: [
        { kept: 32, savedMs: 0.002 },
        { kept: 16, savedMs: 0.0024 },
      ],
    },
  ];

  it('spends the channel budget where the measured time goes, not uniformly', () => {
    // Uniform 50 % removes 8 + 16 + 32 = 56; a cheap first layer's 16 → 8 saves nothing, 16 → 4 a lot.
    const counts = chooseCounts(mnist, 56, 8);
    expect([...counts]).toEqual([
      [1, 4],
      [2, 16],
      [3, 32],
    ]);
  });

  it('removes no more than the window allows, even when removing more would save more', () => {
    const removed = (c: Map<number, number>) =>
      mnist.reduce((n, g) => n + g.size - (c.get(g.group) ?? g.size), 0);
    const counts = chooseCounts(mnist, 56, 8);
    expect(removed(counts)).toBeGreaterThanOrEqual(56);
    expect(removed(counts)).toBeLessThanOrEqual(64);
    expect(removed(chooseCounts(mnist, 56, 40))).toBeGreaterThan(64);
  });

  it('prefers removing fewer channels when the savings are equal', () => {
    const flat: GroupCounts[] = [
      {
        group: 1,
        size: 16,
        options: [
          { kept: 8, savedMs: 0.01 },
          { kept: 4, savedMs: 0.01 },
        ],
      },
    ];
    expect(chooseCounts(flat, 8, 8).get(1)).toBe(8);
  });

  it('gives an empty plan when no combination lands in the window', () => {
    expect(chooseCounts([{ group: 1, size: 16, options: [{ kept: 8, savedMs: 1 }] }], 3, 2).size).toBe(0);
  });
});
