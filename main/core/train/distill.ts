// Knowledge distillation: the teacher runs in ONNX Runtime once per sample (its outputs are cached), the
// student trains in the engine on α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, label) (the CE term
// only when every sample of a batch has a label), with Adam and the learning rate decayed per step (cosine).
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { AppError } from '../../../shared/errors';
import type { TrainingProgress } from '../../../shared/schemas/optimize';
import { throwIfCancelled, type ProgressReport } from '../jobs/job-manager';
import { encodeModel } from '../onnx';
import { cloneModelSharingTensorData } from '../onnx/clone-model';
import { makeValueInfo } from '../onnx/builder';
import { producerMap } from '../onnx/graph';
import type { Sample } from '../optimize/types';
import { cosineLearningRate, setLearningRate } from './lr-schedule';
import { compileGraph, type TrainableGraph } from './onnx-graph';
import { tf, tfReady } from './tf';

type DistillSettings = {
  epochs: number;
  temperature: number;
  /** Weight of the distillation term; 1 − alpha goes to cross-entropy on labels. */
  alpha: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  /**
   * Held-out checks per epoch (the last after its final update): the best check's weights are kept. QAT starts
   * from a good model and the first updates help most, so it checks often; a check exports the student and
   * scores it in ONNX Runtime, which costs about one small batch.
   */
  checksPerEpoch?: number;
};

type DistillInput = {
  teacher: ModelProto;
  student: ModelProto;
  samples: readonly Sample[];
  /** Class index per sample, or null (unlabelled). */
  labels: readonly (number | null)[] | null;
  /**
   * Samples not trained on: after each epoch the student's outputs on them are compared with the teacher's
   * (mean cosine), so people can watch fidelity, and a cancelled run keeps the epoch that scored best.
   */
  heldOut?: readonly Sample[];
  /**
   * The model users get from a trained graph, for held-out checks in ONNX Runtime (QAT: the QDQ model its
   * fake-quant graph stands for). Default: the exported graph itself.
   */
  deployable?: (trained: ModelProto) => ModelProto;
  settings: DistillSettings;
  signal: AbortSignal;
  progress(report: ProgressReport): void;
};

export type DistillResult = {
  model: ModelProto;
  /** Mean loss per completed epoch. */
  lossCurve: number[];
  /** Held-out cosine after each completed epoch (empty without held-out samples). */
  fidelityCurve: number[];
  /** Held-out cosine before training (null without held-out samples). */
  fidelityBefore: number | null;
  /** Set when the model kept is not the last epoch's: the best held-out one (0 = the starting weights). */
  keptEpoch: number | null;
  /** Set when the model kept was checked inside an epoch: after this many updates (1-based, over all epochs). */
  keptUpdate: number | null;
  /** The held-out cosine of the weights kept (null when none was measured). */
  keptCosine: number | null;
  /** Every held-out check: after how many updates, and its cosine (update 0: before training). */
  checks: { update: number; cosine: number }[];
  epochsCompleted: number;
  /** Set when the user cancelled after at least one check: the model is the best check's. */
  cancelled: { atEpoch: number; epochs: number; bestEpoch: number; bestUpdate?: number } | null;
  studentParameters: number;
  teacherParameters: number;
  samplesPerSecond: number;
  /** Distillation targets: graph outputs, or the logits feeding a final Softmax. */
  targets: string[];
  warnings: string[];
};

/** Ops between a final Softmax and the graph output that do not change what the output means. */
const passThrough = new Set(['QuantizeLinear', 'DequantizeLinear', 'QatQuantize', 'Identity']);

/**
 * What each output distils on: the logits feeding a final Softmax (probabilities put through a second
 * softmax at temperature T would flatten the signal), else the output itself. A QDQ model quantizes the
 * probabilities too (Softmax → Q → DQ → output): the Softmax is found behind them. The KL term always takes
 * the softmax over the last axis.
 */
export function distillTargets(model: ModelProto): string[] {
  const producers = producerMap(model.graph!);
  return model.graph!.output.map((o) => {
    let p = producers.get(o.name);
    while (p && passThrough.has(p.opType) && p.input[0]) p = producers.get(p.input[0]);
    return p?.opType === 'Softmax' ? p.input[0]! : o.name;
  });
}

type Cached = { dims: number[]; data: Float32Array }[];

/** Teacher outputs (the distillation targets) for every sample, from ONNX Runtime. */
async function teacherTargets(
  teacher: ModelProto,
  targets: readonly string[],
  samples: readonly Sample[],
  signal: AbortSignal,
  progress: (done: number) => void,
): Promise<Cached[]> {
  const copy = cloneModelSharingTensorData(teacher);
  const outs = new Set(copy.graph!.output.map((o) => o.name));
  for (const t of targets) if (!outs.has(t)) copy.graph!.output.push(makeValueInfo(t, 1));
  const session = await ort.InferenceSession.create(encodeModel(copy), { logSeverityLevel: 3 });
  try {
    const cached: Cached[] = [];
    for (const [i, s] of samples.entries()) {
      const r = await session.run(s, [...targets]);
      cached.push(
        targets.map((t) => ({ dims: [...r[t]!.dims], data: Float32Array.from(r[t]!.data as Float32Array) })),
      );
      if (i % 64 === 0) {
        throwIfCancelled(signal);
        progress(i);
      }
    }
    return cached;
  } finally {
    await session.release();
  }
}

function seededShuffle(n: number, seed: number): number[] {
  let a = seed >>> 0 || 1;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

const toTf = (t: ort.Tensor) => tf.tensor(t.data as Float32Array, [...t.dims], 'float32');

/** Held-out samples scored per epoch: enough for a steady curve, few enough to cost little beside an epoch. */
const maxHeldOut = 64;

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (na === 0 && nb === 0) return 1;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Softmax over the last axis of a row-major tensor with `classes` entries per row. */
function softmaxRows(values: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < values.length; r += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, values[r + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[r + c] = Math.exp(values[r + c]! - max);
    for (let c = 0; c < classes; c++) out[r + c]! /= sum;
  }
  return out;
}

/**
 * Mean cosine, over samples and outputs, of the deployable model's outputs in ONNX Runtime against the
 * teacher's: what users get, not the engine's simulation of it (a QAT graph's fake-quant ops round as the
 * integer kernels do, but not bit for bit). An output behind a final Softmax is compared as probabilities, as
 * the model gives it: the cosine of raw logits is ruled by the many classes nobody reads (PaddleOCR rec: 6 625
 * per step) and fell while the read text improved.
 */
async function heldOutCosine(
  model: ModelProto,
  samples: readonly Sample[],
  teacher: readonly Float32Array[][],
): Promise<number> {
  const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    const outputs = model.graph!.output.map((o) => o.name);
    let sum = 0;
    let n = 0;
    for (const [i, s] of samples.entries()) {
      const r = await session.run(s, outputs);
      outputs.forEach((name, k) => {
        const c = cosine(r[name]!.data as Float32Array, teacher[i]![k]!);
        sum += Number.isFinite(c) ? c : 0;
        n++;
      });
    }
    return n === 0 ? 0 : sum / n;
  } finally {
    await session.release();
  }
}

/** The teacher's held-out targets as the student's outputs read: probabilities where a Softmax follows. */
function asOutputs(cached: readonly Cached[], asProbabilities: readonly boolean[]): Float32Array[][] {
  return cached.map((c) =>
    c.map((t, k) => (asProbabilities[k] ? softmaxRows(t.data, t.dims.at(-1) ?? 1) : t.data)),
  );
}

/** KL(p_t ‖ p_s) at temperature T over the last axis, × T², averaged over every other position. */
function klLoss(student: tf.Tensor, teacher: tf.Tensor, temperature: number): tf.Scalar {
  const last = student.rank - 1;
  const logPs = tf.logSoftmax(tf.div(student, temperature), last);
  const logPt = tf.logSoftmax(tf.div(teacher, temperature), last);
  const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), last);
  return tf.mul(tf.mean(kl), temperature * temperature) as tf.Scalar;
}

export async function distill(input: DistillInput): Promise<DistillResult> {
  await tfReady();
  const { teacher, student, samples, labels, settings, signal } = input;
  const warnings: string[] = [];
  if (samples.length === 0) throw new AppError('DATA_EMPTY', 'Distillation needs at least one sample.');

  const teacherT = distillTargets(teacher);
  const studentT = distillTargets(student);
  if (teacherT.length !== studentT.length) {
    throw new AppError(
      'STUDENT_MISMATCH',
      `The teacher has ${teacherT.length} output(s), the student ${studentT.length}: they must match one to one.`,
    );
  }
  const graph = compileGraph(student, {
    extraOutputs: studentT.filter((t) => !student.graph!.output.some((o) => o.name === t)),
  });
  const teacherGraphParams = countFloatWeights(teacher);
  try {
    const missing = Object.keys(samples[0]!).filter((n) => !graph.inputNames.includes(n));
    if (missing.length > 0 || graph.inputNames.some((n) => !(n in samples[0]!))) {
      throw new AppError(
        'STUDENT_MISMATCH',
        `The student's inputs (${graph.inputNames.join(', ')}) are not the teacher's (${Object.keys(samples[0]!).join(', ')}).`,
      );
    }
    input.progress({
      phase: 'teacher outputs',
      percent: 0,
      message: `running the teacher on ${samples.length} samples`,
    });
    const cached = await teacherTargets(teacher, teacherT, samples, signal, (done) =>
      input.progress({ phase: 'teacher outputs', percent: (done / samples.length) * 5 }),
    );
    const heldOut = (input.heldOut ?? []).slice(0, maxHeldOut);
    const heldOutCached =
      heldOut.length > 0 ? await teacherTargets(teacher, teacherT, heldOut, signal, () => {}) : [];

    // Shapes must agree (checked on the first sample, where a mismatch is cheapest to explain).
    const first = tf.tidy(() => {
      const out = graph.forward(
        Object.fromEntries(Object.entries(samples[0]!).map(([k, v]) => [k, toTf(v)])),
      );
      return studentT.map((t) => out[t]!.shape);
    });
    first.forEach((shape, i) => {
      const want = cached[0]![i]!.dims;
      if (shape.length !== want.length || shape.some((d, j) => d !== want[j])) {
        throw new AppError(
          'STUDENT_MISMATCH',
          `Student output '${studentT[i]}' has shape [${shape.join(', ')}], the teacher's '${teacherT[i]}' ` +
            `[${want.join(', ')}]: a student must produce the same outputs.`,
        );
      }
    });

    // Batch by concatenating samples along axis 0 when the graph allows it; otherwise each sample runs on its
    // own inside one loss (the same gradient as a batch, computed slower).
    const batched = canBatch(graph, samples, studentT);
    const inputNames = graph.inputNames;
    // A batch is copied straight from the samples' arrays into one tensor: concatenating 64 small tfjs
    // tensors per step cost more than the student's own forward pass.
    const gather = (
      ids: readonly number[],
      part: (i: number) => { data: Float32Array; dims: readonly number[] },
    ) => {
      const firstPart = part(ids[0]!);
      const each = firstPart.data.length;
      const out = new Float32Array(each * ids.length);
      ids.forEach((i, j) => out.set(part(i).data, j * each));
      return tf.tensor(out, [firstPart.dims[0]! * ids.length, ...firstPart.dims.slice(1)], 'float32');
    };
    const sampleArray = (i: number, n: string) => ({
      data: samples[i]![n]!.data as Float32Array,
      dims: samples[i]![n]!.dims,
    });
    const feedsFor = (ids: readonly number[]): Record<string, tf.Tensor>[] =>
      batched
        ? [Object.fromEntries(inputNames.map((n) => [n, gather(ids, (i) => sampleArray(i, n))]))]
        : ids.map((i) => Object.fromEntries(inputNames.map((n) => [n, toTf(samples[i]![n]!)])));
    const targetsFor = (ids: readonly number[], k: number): tf.Tensor[] =>
      batched
        ? [gather(ids, (i) => cached[i]![k]!)]
        : ids.map((i) => tf.tensor(cached[i]![k]!.data, cached[i]![k]!.dims, 'float32'));
    const labelled = labels !== null && labels.every((l) => l !== null);
    const useCe = labels !== null && settings.alpha < 1;

    // Targets that are not graph outputs are the logits behind a final Softmax (distillTargets).
    const behindSoftmax = studentT.map((t) => !student.graph!.output.some((o) => o.name === t));
    const heldOutTeacher = asOutputs(heldOutCached, behindSoftmax);
    const deployable = input.deployable ?? ((m: ModelProto) => m);
    const check = () => heldOutCosine(deployable(graph.exportModel()), heldOut, heldOutTeacher);
    const fidelityBefore = heldOut.length > 0 ? await check() : null;
    const checks = fidelityBefore === null ? [] : [{ update: 0, cosine: fidelityBefore }];
    const start = fidelityBefore === null ? null : graph.snapshot();
    let keptEpoch: number | null = null;
    let keptUpdate: number | null = null;
    let keptCosine: number | null = null;
    const checksPerEpoch = Math.max(1, settings.checksPerEpoch ?? 1);
    const optimizer = tf.train.adam(settings.learningRate);
    const lossCurve: number[] = [];
    const fidelityCurve: number[] = [];
    let checkpoint: Map<string, Float32Array> | null = null;
    // What a cancel or the end keeps: the highest held-out cosine of any check, else the lowest epoch loss.
    type Best = { update: number; score: number; values: Map<string, Float32Array> };
    // Set through `consider` (a closure): typed by assertion so the checks below are not narrowed to null.
    let best = null as Best | null;
    const steps = Math.ceil(samples.length / settings.batchSize);
    const epochOf = (update: number) => Math.ceil(update / steps);
    const endsEpoch = (update: number) => update % steps === 0;
    const consider = (update: number, score: number, values: () => Map<string, Float32Array>) => {
      if (!best || score > best.score) best = { update, score, values: values() };
    };
    let cancelled: DistillResult['cancelled'] = null;
    let divergedIn: number | null = null;
    const trainStart = performance.now();
    let seen = 0;
    try {
      for (let epoch = 0; epoch < settings.epochs; epoch++) {
        const order = seededShuffle(samples.length, settings.seed + epoch);
        let sum = 0;
        let diverged = false;
        for (let s = 0; s < steps; s++) {
          setLearningRate(
            optimizer,
            cosineLearningRate(settings.learningRate, epoch * steps + s, settings.epochs * steps),
          );
          const ids = order.slice(s * settings.batchSize, (s + 1) * settings.batchSize);
          const batchLabels = labels ? ids.map((i) => labels[i] ?? null) : null;
          const ce = useCe && batchLabels !== null && batchLabels.every((l) => l !== null);
          const loss = tf.tidy(() => {
            const feeds = feedsFor(ids);
            const targets = teacherT.map((_, k) => targetsFor(ids, k));
            const value = optimizer.minimize(
              () => {
                const parts = feeds.map((f, fi) => {
                  const out = graph.forward(f);
                  let l: tf.Tensor = tf.scalar(0);
                  studentT.forEach((name, k) => {
                    l = tf.add(l, klLoss(out[name]!, targets[k]![fi]!, settings.temperature));
                  });
                  const logits = out[studentT[0]!]!;
                  if (!ce || logits.rank !== 2) return l;
                  const ys = batched ? batchLabels! : [batchLabels![fi]!];
                  // One label per sample: a sample that is itself a batch of rows has no per-row labels.
                  if (logits.shape[0] !== ys.length) return l;
                  const onehot = tf.oneHot(tf.tensor1d(ys as number[], 'int32'), logits.shape.at(-1)!);
                  const xent = tf.losses.softmaxCrossEntropy(onehot, logits);
                  return tf.add(tf.mul(l, settings.alpha), tf.mul(xent, 1 - settings.alpha));
                });
                return tf.div(tf.addN(parts), parts.length) as tf.Scalar;
              },
              true,
              [...graph.params.values()],
            );
            return value!.dataSync()[0]!;
          });
          if (!Number.isFinite(loss)) {
            diverged = true;
            break;
          }
          sum += loss;
          seen += ids.length;
          // In a worker, cancel arrives as a message: the loop must let the event loop run to receive it.
          await new Promise((resolve) => setImmediate(resolve));
          if (signal.aborted) {
            if (!best) {
              throw new AppError(
                'CANCELLED',
                `Cancelled in epoch ${epoch + 1} of ${settings.epochs}, before any epoch finished or held-out ` +
                  'check: there is no trained model to keep, so nothing was stored.',
              );
            }
            cancelled = {
              atEpoch: epoch + 1,
              epochs: settings.epochs,
              bestEpoch: epochOf(best.update),
              ...(endsEpoch(best.update) ? {} : { bestUpdate: best.update }),
            };
            break;
          }
          // Checks inside an epoch (the one after its last update comes below, with the epoch's loss).
          const update = epoch * steps + s + 1;
          const due =
            Math.floor(((s + 1) * checksPerEpoch) / steps) > Math.floor((s * checksPerEpoch) / steps);
          if (heldOut.length > 0 && due && s < steps - 1) {
            const score = await check();
            checks.push({ update, cosine: score });
            consider(update, score, () => graph.snapshot());
          }
          const elapsed = (performance.now() - trainStart) / 1000;
          const done = (epoch * steps + s + 1) / (settings.epochs * steps);
          if (s % 4 === 0 || s === steps - 1) {
            const eta = Math.round((elapsed / done) * (1 - done));
            const detail: TrainingProgress = {
              key: 'training',
              epoch: epoch + 1,
              epochs: settings.epochs,
              step: s + 1,
              steps,
              loss: sum / (s + 1),
              lossCurve: [...lossCurve],
              fidelityCurve: [...fidelityCurve],
              etaSeconds: eta,
              samplesPerSecond: elapsed > 0 ? seen / elapsed : 0,
            };
            input.progress({
              // One phase per epoch, so line-by-line progress (no terminal) prints each epoch once.
              phase: `training epoch ${epoch + 1}/${settings.epochs}`,
              percent: 5 + done * 95,
              message: `loss ${detail.loss.toFixed(4)} · ETA ${eta} s`,
              detail,
            });
          }
        }
        if (cancelled) break;
        if (diverged) {
          // The weights are NaN now: what is kept is chosen below (the best check, else the last epoch).
          if (!checkpoint && !best) {
            throw new AppError(
              'TRAINING_DIVERGED',
              `The loss became NaN/infinite in epoch ${epoch + 1} before any epoch completed: lower the learning ` +
                `rate (now ${settings.learningRate}) or check the data for NaN values. Nothing was written.`,
            );
          }
          divergedIn = epoch + 1;
          break;
        }
        lossCurve.push(sum / steps);
        checkpoint = graph.snapshot();
        if (heldOut.length > 0) {
          fidelityCurve.push(await check());
          checks.push({ update: (epoch + 1) * steps, cosine: fidelityCurve.at(-1)! });
        }
        const score = heldOut.length > 0 ? fidelityCurve.at(-1)! : -lossCurve.at(-1)!;
        const values = checkpoint;
        consider((epoch + 1) * steps, score, () => values);
      }
      const lastUpdate = checks.at(-1)?.update ?? lossCurve.length * steps;
      const where = (b: Best) =>
        endsEpoch(b.update)
          ? `after epoch ${epochOf(b.update)}`
          : `after update ${b.update} (in epoch ${epochOf(b.update)})`;
      keptCosine = checks.at(-1)?.cosine ?? null;
      if (cancelled && best) {
        graph.restore(best.values);
        if (heldOut.length > 0) keptCosine = best.score;
        warnings.push(
          `Cancelled at epoch ${cancelled.atEpoch} of ${cancelled.epochs}: this is the model ${where(best)}, ` +
            `the best ${heldOut.length > 0 ? 'held-out check' : 'completed epoch (training loss)'}.`,
        );
      } else if (best && fidelityBefore !== null && start) {
        // The best held-out epoch is kept; the starting weights when no epoch beat them.
        const fmt = (v: number) => v.toFixed(5);
        if (best.score <= fidelityBefore) {
          graph.restore(start);
          keptEpoch = 0;
          keptCosine = fidelityBefore;
          warnings.push(
            `Training did not improve held-out fidelity (cosine ${fmt(fidelityBefore)} before, best check ` +
              `${fmt(best.score)}): the model is the one training started from. More data or epochs, or a ` +
              `lower learning rate (now ${settings.learningRate}), may help.`,
          );
        } else if (best.update !== lastUpdate || divergedIn !== null) {
          graph.restore(best.values);
          keptEpoch = epochOf(best.update);
          if (!endsEpoch(best.update)) keptUpdate = best.update;
          keptCosine = best.score;
          if (divergedIn === null) {
            warnings.push(
              `Held-out fidelity peaked ${where(best)} of ${lossCurve.length} epoch(s) (cosine ${fmt(best.score)}, ` +
                `last ${fmt(checks.at(-1)!.cosine)}): that model is kept.`,
            );
          }
        }
      } else if (divergedIn !== null && checkpoint) {
        graph.restore(checkpoint);
      }
      if (divergedIn !== null) {
        const kept =
          keptEpoch === 0
            ? 'the one training started from (no check beat it)'
            : keptEpoch !== null && best
              ? `the one ${where(best)}, its best held-out check`
              : `the one after epoch ${lossCurve.length} (the last good checkpoint)`;
        warnings.push(
          `The loss became NaN/infinite in epoch ${divergedIn}: training stopped and the student is ${kept}. ` +
            'A lower learning rate may help.',
        );
      }
    } finally {
      optimizer.dispose();
    }
    if (!labelled && labels !== null)
      warnings.push('Some samples have no label: those batches used only the teacher.');
    const trainSeconds = (performance.now() - trainStart) / 1000;
    return {
      model: graph.exportModel(),
      lossCurve,
      fidelityCurve,
      fidelityBefore,
      keptEpoch,
      keptUpdate,
      keptCosine,
      checks,
      epochsCompleted: lossCurve.length,
      cancelled,
      studentParameters: graph.parameterCount(),
      teacherParameters: teacherGraphParams,
      samplesPerSecond: trainSeconds > 0 ? seen / trainSeconds : 0,
      targets: studentT,
      warnings,
    };
  } finally {
    graph.dispose();
  }
}

function countFloatWeights(model: ModelProto): number {
  let n = 0;
  for (const t of model.graph!.initializer)
    if (t.dataType === 1) n += t.dims.reduce((a, d) => a * Number(d), 1);
  for (const node of model.graph!.node) {
    const t = node.opType === 'Constant' ? node.attribute.find((a) => a.name === 'value')?.t : undefined;
    if (t?.dataType === 1) n += t.dims.reduce((a, d) => a * Number(d), 1);
  }
  return n;
}

/** True when two samples concatenated along axis 0 give outputs with a leading 2 (the graph is batchable). */
function canBatch(graph: TrainableGraph, samples: readonly Sample[], targets: readonly string[]): boolean {
  if (samples.length < 2) return false;
  const leadingOne = Object.values(samples[0]!).every((t) => t.dims[0] === 1);
  if (!leadingOne) return false;
  try {
    return tf.tidy(() => {
      const feeds = Object.fromEntries(
        graph.inputNames.map((n) => [n, tf.concat([toTf(samples[0]![n]!), toTf(samples[1]![n]!)], 0)]),
      );
      const out = graph.forward(feeds);
      return targets.every((t) => out[t]!.shape[0] === 2);
    });
  } catch {
    return false;
  }
}
