import { describe, expect, it } from 'vitest';
import { choose, paretoFront, speedCaveat, type Ranked } from './rank-candidates';

const r = (
  id: string,
  meetsGoal: boolean,
  latencyRatio: number | null,
  sizeRatio: number,
  distance = 0,
): Ranked => ({
  id,
  meetsGoal,
  latencyRatio,
  sizeRatio,
  distance,
});

describe('choose', () => {
  it('takes the fastest candidate that meets the goal, not the first, and never one slower than the parent', () => {
    const c = choose([
      r('first', true, 0.95, 0.3),
      r('fast', true, 0.6, 0.5),
      r('faster-bad', false, 0.4, 0.3, -3),
    ]);
    expect(c).toEqual({ kind: 'recommended', id: 'fast' });
  });

  it('breaks near-ties of latency by size', () => {
    expect(choose([r('big', true, 0.6, 0.5), r('small', true, 0.61, 0.27)])).toEqual({
      kind: 'recommended',
      id: 'small',
    });
  });

  it('recommends nothing when every candidate that meets the goal is slower: the smallest is kept for size only', () => {
    const c = choose([r('a', true, 1.3, 0.29), r('b', true, 1.1, 0.5), r('c', false, 0.9, 0.3, -1)]);
    expect(c).toEqual({ kind: 'size-only', id: 'a', fastestRatio: 1.1 });
  });

  it('when no candidate meets the goal, keeps the closest among those not slower', () => {
    const c = choose([
      r('slow-close', false, 1.2, 0.3, -0.1),
      r('near', false, 0.8, 0.3, -0.5),
      r('far', false, 0.7, 0.3, -9),
    ]);
    expect(c).toEqual({ kind: 'goal-not-met', id: 'near' });
    expect(choose([])).toBeNull();
  });
});

describe('paretoFront', () => {
  it('keeps exactly the undominated points', () => {
    const front = paretoFront([
      { id: 'fast', latency: 0.5, size: 0.5, fidelity: 1 },
      { id: 'small', latency: 0.9, size: 0.25, fidelity: 1 },
      { id: 'faithful', latency: 0.9, size: 0.5, fidelity: 5 },
      { id: 'dominated', latency: 0.95, size: 0.5, fidelity: 1 },
    ]);
    expect([...front].sort()).toEqual(['faithful', 'fast', 'small']);
  });
});

describe('speedCaveat', () => {
  it('says a recommended variant within the noise band of the parent is smaller, not faster', () => {
    expect(speedCaveat({ kind: 'fp16', latencyRatio: 0.99 }, [])).toMatch(
      /^Not faster: within the measurement noise/,
    );
    expect(speedCaveat({ kind: 'fp16', latencyRatio: 0.9 }, [])).toBe('');
    expect(speedCaveat({ kind: 'fp16', latencyRatio: null }, [])).toBe('');
  });

  it('says no INT8 path helps when every timed static mix ran slower than the parent', () => {
    const timed = [
      { kind: 'int8-static', latencyRatio: 1.5 },
      { kind: 'int8-mixed', latencyRatio: 1.1 },
      { kind: 'fp16', latencyRatio: 0.8 },
    ];
    expect(speedCaveat({ kind: 'fp16', latencyRatio: 0.8 }, timed)).toMatch(
      /^No static INT8 mix ran faster than the parent here \(the best 1\.10×\)/,
    );
    expect(
      speedCaveat({ kind: 'fp16', latencyRatio: 0.8 }, [
        ...timed,
        { kind: 'int8-mixed', latencyRatio: 0.95 },
      ]),
    ).toBe('');
    expect(speedCaveat({ kind: 'int8-mixed', latencyRatio: 0.8 }, timed)).toBe('');
  });
});
