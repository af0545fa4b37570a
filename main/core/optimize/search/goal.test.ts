import { describe, expect, it } from 'vitest';
import { goalDistance, meetsGoal, parseGoal, unmeasurableTerms, type GoalScores } from './goal';

const scores = (s: Partial<GoalScores>): GoalScores => ({
  cosine: null,
  sqnrDb: null,
  top1: null,
  accuracyDropPoints: null,
  ...s,
});

describe('parseGoal', () => {
  it('reads every metric of the grammar, joined by commas', () => {
    expect(parseGoal('cosine>=0.999').terms).toEqual([
      { metric: 'cosine', bound: 0.999, text: 'cosine>=0.999' },
    ]);
    expect(parseGoal(' sqnr >= 30 , top1>=0.99').terms.map((t) => [t.metric, t.bound])).toEqual([
      ['sqnr', 30],
      ['top1', 0.99],
    ]);
    expect(parseGoal('accuracy-drop<=1%').terms[0]).toMatchObject({ metric: 'accuracy-drop', bound: 1 });
    expect(parseGoal('accuracy-drop<=0.5').terms[0]).toMatchObject({ bound: 0.5 });
  });

  it('refuses what does not parse with the grammar in the message', () => {
    for (const bad of [
      '',
      'cosine>0.9',
      'cosine>=1.5',
      'speed>=2',
      'top1>=0',
      'accuracy-drop>=1%',
      'sqnr>=abc',
    ]) {
      let error: unknown;
      try {
        parseGoal(bad);
      } catch (err) {
        error = err;
      }
      expect(error, bad).toMatchObject({ code: 'GOAL_INVALID' });
      expect((error as Error).message).toContain('TERM = cosine>=C');
    }
  });
});

describe('meetsGoal and goalDistance', () => {
  it('needs every term to hold, and ranks misses by the worst term', () => {
    const goal = parseGoal('cosine>=0.999,sqnr>=30');
    expect(meetsGoal(goal, scores({ cosine: 0.9995, sqnrDb: 31 }))).toBe(true);
    expect(meetsGoal(goal, scores({ cosine: 0.9995, sqnrDb: 29 }))).toBe(false);
    const near = goalDistance(goal, scores({ cosine: 0.9985, sqnrDb: 40 }));
    const far = goalDistance(goal, scores({ cosine: 0.99, sqnrDb: 40 }));
    expect(near).toBeCloseTo(-0.5, 6);
    expect(far).toBeLessThan(near);
  });

  it('never counts an unmeasurable term as met, and names it', () => {
    const goal = parseGoal('accuracy-drop<=1%');
    const s = scores({ cosine: 1 });
    expect(meetsGoal(goal, s)).toBe(false);
    expect(unmeasurableTerms(goal, s).map((t) => t.metric)).toEqual(['accuracy-drop']);
    expect(meetsGoal(goal, scores({ accuracyDropPoints: 0.4 }))).toBe(true);
  });
});
