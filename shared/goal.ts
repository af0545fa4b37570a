/**
 * What "good enough" means for the auto search: one or more conditions on the variant's fidelity against its
 * parent, joined by commas (all must hold), e.g. `cosine>=0.999`, `sqnr>=30,top1>=0.99`, `accuracy-drop<=1%`.
 * Pure (no Node): the core and CLI parse goals with it, and the Optimize form checks a goal as it is typed.
 */
import { AppError } from './errors';

type GoalMetric = 'cosine' | 'sqnr' | 'top1' | 'accuracy-drop';
type GoalTerm = { metric: GoalMetric; bound: number; text: string };
export type Goal = { terms: GoalTerm[]; text: string };

/** The scores a goal reads; null where the metric could not be measured (no labels, no class output). */
export type GoalScores = {
  cosine: number | null;
  sqnrDb: number | null;
  top1: number | null;
  /** Parent accuracy − variant accuracy, in points (0..100); null without labels. */
  accuracyDropPoints: number | null;
};

export const DEFAULT_GOAL = 'cosine>=0.999';

export const GOAL_GRAMMAR =
  'GOAL = TERM[,TERM…]; TERM = cosine>=C (0 < C ≤ 1) | sqnr>=DB | top1>=F (0 < F ≤ 1, arg-max agreement with ' +
  'the parent) | accuracy-drop<=P% (points of accuracy lost against labels; needs labels with the data). ' +
  `Example: --goal "${DEFAULT_GOAL}" or --goal "sqnr>=30,top1>=0.99".`;

const TERM = /^(cosine|sqnr|top1)\s*>=\s*([0-9]*\.?[0-9]+)$|^(accuracy-drop)\s*<=\s*([0-9]*\.?[0-9]+)\s*%?$/;

export function parseGoal(text: string): Goal {
  const read = readGoal(text);
  if ('why' in read) {
    throw new AppError('GOAL_INVALID', `The goal '${text}' cannot be read: ${read.why}. ${GOAL_GRAMMAR}`);
  }
  return read.goal;
}

/** Why a goal cannot be read (without the grammar, which a form shows as help), or null when it can. */
export function goalProblem(text: string): string | null {
  const read = readGoal(text);
  return 'why' in read ? read.why : null;
}

function readGoal(text: string): { goal: Goal } | { why: string } {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return { why: 'it is empty' };
  const terms: GoalTerm[] = [];
  for (const part of parts) {
    const m = TERM.exec(part.toLowerCase());
    if (!m) return { why: `'${part}' is not a term` };
    const metric = (m[1] ?? m[3]) as GoalMetric;
    const bound = Number(m[2] ?? m[4]);
    if ((metric === 'cosine' || metric === 'top1') && !(bound > 0 && bound <= 1)) {
      return { why: `${metric} must be in (0, 1], not ${bound}` };
    }
    if (metric === 'accuracy-drop' && bound > 100) return { why: 'accuracy-drop is in points, 0..100' };
    terms.push({ metric, bound, text: part });
  }
  return { goal: { terms, text: parts.join(',') } };
}

/** How far each term is from its bound (≥ 0 means met), in the term's own units; null = cannot be measured. */
function termSlack(term: GoalTerm, s: GoalScores): number | null {
  switch (term.metric) {
    case 'cosine':
      return s.cosine === null ? null : s.cosine - term.bound;
    case 'sqnr':
      return s.sqnrDb === null ? null : s.sqnrDb - term.bound;
    case 'top1':
      return s.top1 === null ? null : s.top1 - term.bound;
    case 'accuracy-drop':
      return s.accuracyDropPoints === null ? null : term.bound - s.accuracyDropPoints;
  }
}

/** Terms that cannot be measured on this model/data (e.g. accuracy without labels): said up front. */
export function unmeasurableTerms(goal: Goal, s: GoalScores): GoalTerm[] {
  return goal.terms.filter((t) => termSlack(t, s) === null);
}

export function meetsGoal(goal: Goal, s: GoalScores): boolean {
  return goal.terms.every((t) => {
    const slack = termSlack(t, s);
    return slack !== null && slack >= 0;
  });
}

/**
 * One number to rank candidates that miss the goal: the worst term's slack, each term scaled to a comparable
 * unit (cosine and top-1 in thousandths, SQNR in dB, accuracy in points).
 */
export function goalDistance(goal: Goal, s: GoalScores): number {
  let worst = Infinity;
  for (const t of goal.terms) {
    const slack = termSlack(t, s);
    if (slack === null) return -Infinity;
    const scaled = t.metric === 'cosine' || t.metric === 'top1' ? slack * 1000 : slack;
    worst = Math.min(worst, scaled);
  }
  return worst;
}
