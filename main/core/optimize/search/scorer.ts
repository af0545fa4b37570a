/**
 * Scores many candidate models against one parent cheaply: the parent's outputs on the evaluation samples are
 * computed once and kept, so each candidate costs one session and one pass over the samples. Top-1 is the
 * arg-max agreement over the last axis of every row (a classifier's class; a sequence model's token per step,
 * which is what a CTC text recogniser reads), worst output first.
 */
import type * as ort from 'onnxruntime-node';
import { throwIfCancelled } from '../../jobs/job-manager';
import { argMax } from '../fidelity/class-scores';
import { addPairs, cosine, createErrorSums, sqnrDb } from '../fidelity/error-metrics';
import { createSession, feedsFor, releaseAll, runSession } from '../fidelity/sessions';
import { tensorValues } from '../fidelity/tensor-values';
import type { Sample, SampleSource } from '../types';
import type { GoalScores } from './goal';

type Reference = { name: string; values: ArrayLike<number>; dims: readonly number[] }[];

type Scorer = {
  samples: number;
  /** Parent accuracy against labels (0..1), when the data has labels and one class output. */
  parentAccuracy: number | null;
  /**
   * `quick`: the first few samples on a session without ORT's int8 fusions (QDQ then runs as float
   * simulation, which loads several times faster): enough to rank nodes by sensitivity, not to report.
   */
  score(
    bytes: Uint8Array,
    opts?: { signal?: AbortSignal; quick?: boolean },
  ): Promise<GoalScores & { accuracy: number | null }>;
};

/** How many samples a candidate is scored on at most: enough for stable metrics, few enough for hundreds. */
const MAX_SCORING_SAMPLES = 64;
const QUICK_SAMPLES = 4;

export async function createScorer(
  parent: Uint8Array,
  source: SampleSource,
  signal?: AbortSignal,
): Promise<Scorer> {
  const count = Math.min(source.count, MAX_SCORING_SAMPLES);
  const samples: Sample[] = [];
  for await (const s of source.read({ start: 0, end: count })) samples.push(s);
  const labels = source.labels?.slice(0, count) ?? null;
  const session = await createSession(parent, 'parent', 'all');
  const references: Reference[] = [];
  try {
    for (const sample of samples) {
      throwIfCancelled(signal);
      const out = await runSession(session, feedsFor(session, sample, 'parent'), 'parent');
      references.push(outputsOf(session, out));
    }
  } finally {
    await releaseAll([session]);
  }
  const parentAccuracy = accuracyOf(references, labels);
  return {
    samples: samples.length,
    parentAccuracy,
    async score(bytes, opts = {}) {
      const sig = opts.signal;
      const variant = await createSession(bytes, 'candidate', opts.quick ? 'basic' : 'all');
      const count = opts.quick ? Math.min(samples.length, QUICK_SAMPLES) : samples.length;
      try {
        const sums = references[0]!.map(() => createErrorSums());
        const agree = references[0]!.map(() => ({ same: 0, rows: 0 }));
        const outputs: Reference[] = [];
        for (let i = 0; i < count; i++) {
          throwIfCancelled(sig);
          const out = outputsOf(
            variant,
            await runSession(variant, feedsFor(variant, samples[i]!, 'candidate'), 'candidate'),
          );
          references[i]!.forEach((ref, k) => {
            const got = out.find((o) => o.name === ref.name)!;
            addPairs(sums[k]!, ref.values, got.values);
            const rows = rowAgreement(ref, got);
            if (rows) {
              agree[k]!.same += rows.same;
              agree[k]!.rows += rows.rows;
            }
          });
          if (labels) outputs.push(out);
        }
        const cosines = sums.map(cosine).filter((c): c is number => c !== null);
        const sqnrs = sums.map(sqnrDb).filter((c): c is number => c !== null);
        const top1s = agree.filter((a) => a.rows > 0).map((a) => a.same / a.rows);
        const accuracy = labels ? accuracyOf(outputs, labels) : null;
        return {
          cosine: cosines.length > 0 ? Math.min(...cosines) : null,
          sqnrDb: sqnrs.length > 0 ? Math.min(...sqnrs) : null,
          top1: top1s.length > 0 ? Math.min(...top1s) : null,
          accuracy,
          accuracyDropPoints:
            accuracy !== null && parentAccuracy !== null ? (parentAccuracy - accuracy) * 100 : null,
        };
      } finally {
        await releaseAll([variant]);
      }
    },
  };
}

function outputsOf(session: ort.InferenceSession, out: ort.InferenceSession.ReturnType): Reference {
  return session.outputNames.flatMap((name) => {
    const t = out[name]!;
    const values = tensorValues(t);
    return values ? [{ name, values, dims: t.dims }] : [];
  });
}

function rowAgreement(ref: Reference[number], got: Reference[number]): { same: number; rows: number } | null {
  const classes = ref.dims.at(-1) ?? 0;
  if (ref.dims.length < 2 || classes < 2 || ref.values.length !== got.values.length) return null;
  const rows = ref.values.length / classes;
  let same = 0;
  for (let r = 0; r < rows; r++) {
    if (argMax(ref.values, r * classes, classes) === argMax(got.values, r * classes, classes)) same++;
  }
  return { same, rows };
}

/** Accuracy of the first output with one [1, classes] row per sample, against the labels. */
function accuracyOf(outputs: Reference[], labels: readonly (number | null)[] | null): number | null {
  if (!labels || outputs.length === 0) return null;
  const k = outputs[0]!.findIndex((o) => o.dims.length >= 2 && o.values.length === (o.dims.at(-1) ?? 0));
  if (k < 0) return null;
  let right = 0;
  let counted = 0;
  outputs.forEach((out, i) => {
    const label = labels[i];
    if (label === null || label === undefined) return;
    const o = out[k]!;
    if (argMax(o.values, 0, o.values.length) === label) right++;
    counted++;
  });
  return counted > 0 ? right / counted : null;
}
