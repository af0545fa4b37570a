import { describe, expect, it } from 'vitest';
import { goalProblem, parseGoal } from './goal';

describe('goalProblem', () => {
  it('says why a goal cannot be read, in the words parseGoal throws with', () => {
    expect(goalProblem('cosine>=0.999')).toBeNull();
    expect(goalProblem(' sqnr>=30 , accuracy-drop<=1% ')).toBeNull();
    expect(goalProblem('')).toBe('it is empty');
    expect(goalProblem('top1>=0')).toBe('top1 must be in (0, 1], not 0');
    expect(goalProblem('speed>=2')).toBe("'speed>=2' is not a term");
    expect(() => parseGoal('speed>=2')).toThrow(/'speed>=2' is not a term\. GOAL = TERM/);
  });
});
