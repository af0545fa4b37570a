/**
 * `--method auto`: a search for the fastest variant that meets the goal, measured on this machine.
 *
 * 1. Pre-process as ORT will run the model and calibrate every float activation once.
 * 2. Per node: its int8 kernel time against its float kernel time (ORT's profiler, Q/DQ it causes included)
 *    and its sensitivity (output fidelity with only that node int8).
 * 3. Candidates: all-int8 static, speed-aware mixed precision (nodes whose int8 kernels are slower stay float),
 *    accuracy repairs of both (the most sensitive nodes float, the fewest that meet the goal, by bisection),
 *    mixed + dynamic INT8 for MatMul/Gemm left float, dynamic INT8, FP16.
 * 4. Every candidate is scored on the evaluation samples and timed beside the parent in one interleaved run;
 *    the fastest that meets the goal and is not slower than the parent is recommended; the rest stay in the
 *    report, with the Pareto front saved as variants.
 */
import { cpus } from 'node:os';
import type { ModelProto, NodeProto, TensorProto } from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import {
  fp16ConfigSchema,
  int8DynamicConfigSchema,
  int8StaticConfigSchema,
  type AutoCandidate,
  type AutoConfig,
  type AutoNode,
  type AutoReport,
  type FidelityReport,
  type PassReport,
} from '../../../../shared/schemas/optimize';
import type { ProgressReport } from '../../jobs/job-manager';
import { cloneModelSharingTensorData, encodeModel, getAttrInt, initializerMap } from '../../onnx';
import { onnxRuntimeVersion } from '../../runtime/ort-load-check';
import { evaluateFidelity } from '../fidelity';
import { fp16Pass } from '../passes/fp16';
import { quantizeDynamic } from '../passes/int8-dynamic';
import { storeConvWeightsAsFloat16 } from '../passes/weight-only';
import { storeWeightsAsInt8 } from '../passes/int8-weights';
import { outputHeads } from './output-heads';
import { shiftsAsBatchNorm } from '../preprocess';
import { buildInt8Static, prepareInt8Static, type Int8StaticPrepared } from '../passes/int8-static';
import { COMPUTE_OPS, planQdq } from '../passes/int8-static-plan';
import type { PassContext, PassResult, Sample } from '../types';
import { attributeKernels } from './attribute-kernels';
import { estimateLatencies, inputsOf, type AutoTarget } from './estimated-latency';
import { goalDistance, meetsGoal, parseGoal, unmeasurableTerms, type Goal, type GoalScores } from './goal';
import { profileNodes } from './node-profile';
import { choose, measureRoundRobin, paretoFront, speedCaveat, type Ranked } from './rank-candidates';
import { createScorer } from './scorer';
import type { JobData } from '../run-optimization';

type AutoJob = {
  /** Set for `--target PROFILE`: latency is then estimated there (and said so). */
  target?: AutoTarget;
  parent: ModelProto;
  parentBytes: Uint8Array;
  config: AutoConfig;
  data: JobData;
  scratchDir: string;
};

type KeptVariant = {
  candidateId: string;
  method: string;
  bytes: Uint8Array;
  pass: PassReport;
  fidelity: FidelityReport;
};

export type AutoOutcome = { report: AutoReport; kept: KeptVariant[] };

type Built = {
  id: string;
  kind: AutoCandidate['kind'];
  description: string;
  bytes: Uint8Array;
  result: PassResult;
  floatNodes: string[];
  int8Nodes: number;
  scores: GoalScores & { accuracy: number | null };
  durationMs: number;
};

/** A class of nodes goes float only when that makes the whole model this much faster (noise guard). */
const SPEEDUP_MARGIN = 0.03;
/** A single node goes float when the profiler shows its int8 time this many times its float time. */
const PROFILE_SLOWER = 1.25;

/** Candidates made without the static per-node plan: their node decisions are the method's, not the search's. */
const wholeModelKinds = new Set<AutoCandidate['kind']>([
  'int8-dynamic',
  'int8-dynamic+fp16',
  'fp16',
  'fp32-prepared',
  'int8-weights',
  'int8-weights+dynamic',
]);

/** Most Pareto candidates stored as variants beside the recommended one. */
const MAX_SAVED = 4;

export async function runAutoSearch(
  job: AutoJob,
  ctx: { signal: AbortSignal; progress: (r: ProgressReport) => void },
): Promise<AutoOutcome> {
  const started = performance.now();
  const deadline = started + job.config.budgetMinutes * 60_000;
  const share = (f: number) => started + (deadline - started) * f;
  const goal = parseGoal(job.config.goal);
  if (job.config.target !== 'this-machine' && !job.target) {
    throw new AppError('INTERNAL', `--target ${job.config.target} reached the search without its profile.`);
  }
  const notes: string[] = [];
  let stoppedEarly: AutoReport['stoppedEarly'] = null;
  const stop = (why: 'budget' | 'cancelled') => {
    stoppedEarly ??= why;
  };
  /** Whether this step's share of the budget is spent (or the user cancelled); either is recorded. */
  const timeUp = (fraction: number) => {
    if (ctx.signal.aborted) stop('cancelled');
    else if (performance.now() > share(fraction)) stop('budget');
    return ctx.signal.aborted || performance.now() > share(fraction);
  };
  const progress = (percent: number, message: string) =>
    ctx.progress({ phase: 'searching', percent: Math.min(99, Math.round(percent)), message });

  const { data } = job;
  if (!data.calibration) {
    throw new AppError(
      'CALIBRATION_REQUIRED',
      'The auto search needs calibration data (static INT8 is among its candidates): give --calibration ' +
        '<folder|file.npy>, or --calibration random to try it on random inputs (fidelity is then not meaningful).',
    );
  }
  const samples: Sample[] = [];
  for await (const s of data.evaluation.read({ start: 0, end: Math.min(data.evaluation.count, 8) }))
    samples.push(s);

  progress(1, 'running the parent on the evaluation samples');
  const scorer = await createScorer(job.parentBytes, data.evaluation, ctx.signal);
  const parentScores = await scorer.score(job.parentBytes);
  const missing = unmeasurableTerms(goal, parentScores);
  if (missing.length > 0) {
    throw new AppError(
      'GOAL_INVALID',
      `The goal '${goal.text}' cannot be measured on this model and data: ${missing.map((t) => t.text).join(', ')} ` +
        (missing.some((t) => t.metric === 'accuracy-drop')
          ? '(accuracy needs labels.csv or labels.txt beside the samples and one [1, classes] output). '
          : '(top1 needs an output whose last axis holds scores). ') +
        'Use cosine>=C or sqnr>=DB instead.',
    );
  }

  const passCtx: PassContext = {
    signal: ctx.signal,
    scratchDir: job.scratchDir,
    calibration: data.calibration,
    progress: (r) => progress(2 + (r.percent ?? 0) * 0.18, r.message ?? r.phase),
  };
  const prepared = await prepareStatic(job, passCtx, notes);
  const anchors = prepared ? anchorNodes(prepared) : [];
  const anchorNames = new Set(anchors.map((a) => a.name));
  const unknownForced = [...job.config.forceFloat, ...job.config.forceInt8].filter(
    (n) => !anchorNames.has(n),
  );
  if (unknownForced.length > 0) {
    notes.push(
      `Forced nodes that are not quantizable nodes of this model were ignored: ${unknownForced.join(', ')}.`,
    );
  }
  const forcedFloat = new Set(job.config.forceFloat.filter((n) => anchorNames.has(n)));
  const forcedInt8 = new Set(job.config.forceInt8.filter((n) => anchorNames.has(n)));

  const built: Built[] = [];
  const add = async (
    kind: Built['kind'],
    description: string,
    make: () => PassResult | Promise<PassResult>,
    floatNodes: string[],
  ): Promise<Built | undefined> => {
    const t0 = performance.now();
    try {
      const result = await make();
      const bytes = encodeModel(result.model);
      const scores = await scorer.score(bytes);
      const b: Built = {
        id: `c${built.length + 1}`,
        kind,
        description,
        bytes,
        result,
        floatNodes,
        int8Nodes: anchors.length - floatNodes.length,
        scores,
        durationMs: performance.now() - t0,
      };
      built.push(b);
      return b;
    } catch (err) {
      // A cancel keeps what was found so far; with nothing found yet it ends the search.
      if (err instanceof AppError && err.code === 'CANCELLED') {
        if (built.length === 0) throw err;
        stop('cancelled');
        return undefined;
      }
      notes.push(
        `${description}: not built (${err instanceof Error ? err.message.split('\n')[0] : String(err)}).`,
      );
      return undefined;
    }
  };
  const staticWith = (floatNodes: Iterable<string>) => {
    const exclude = [...new Set([...floatNodes, ...forcedFloat])].filter((n) => !forcedInt8.has(n));
    return { exclude, make: () => buildInt8Static(prepared!, exclude) };
  };

  // All-int8 static.
  progress(20, 'all-int8 static candidate');
  const full = staticWith([]);
  const allInt8 =
    prepared &&
    (await add(
      'int8-static',
      `static INT8 ${perChannelWords(prepared)}, every quantizable node`,
      full.make,
      full.exclude,
    ));

  // Per-node speed from ORT's profiler: the float parent and the all-int8 model.
  const nodeSpeed = new Map<string, { floatUs: number | null; int8Us: number | null }>();
  if (allInt8 && !timeUp(0.3)) {
    progress(24, 'profiling per-node kernel times (float and int8)');
    const runs = 12;
    const floatProfile = await profileNodes(encodeModel(prepared!.pre.model), samples, {
      scratchDir: job.scratchDir,
      runs,
    });
    const int8Profile = await profileNodes(allInt8.bytes, samples, { scratchDir: job.scratchDir, runs });
    const fa = attributeKernels(floatProfile.kernels, prepared!.pre.model, anchorNames);
    const ia = attributeKernels(int8Profile.kernels, prepared!.pre.model, anchorNames);
    for (const a of anchors) {
      nodeSpeed.set(a.name, {
        floatUs: fa.perAnchor.get(a.name) ?? null,
        int8Us: ia.perAnchor.get(a.name) ?? null,
      });
    }
    const share = (x: { unattributedUs: number; totalUs: number }) =>
      x.totalUs > 0 ? Math.round((100 * x.unattributedUs) / x.totalUs) : 0;
    notes.push(
      `Per-node times: ONNX Runtime's profiler, ${runs} runs each of the float and the all-int8 model; ` +
        `${share(fa)} % (float) and ${share(ia)} % (int8) of kernel time could not be traced to a node ` +
        '(layout reorders, inlined functions) and is left out of the per-node figures.',
    );
  }

  // Per-node sensitivity: only that node int8.
  const sensitivity = new Map<string, GoalScores>();
  progress(30, `sensitivity of ${anchors.length} nodes`);
  for (let i = 0; i < anchors.length; i++) {
    if (timeUp(0.5)) break;
    const a = anchors[i]!;
    try {
      const only = anchors.filter((o) => o.name !== a.name).map((o) => o.name);
      const bytes = encodeModel(buildInt8Static(prepared!, only).model);
      sensitivity.set(a.name, await scorer.score(bytes, { quick: true }));
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') throw err;
    }
    progress(30 + (30 * (i + 1)) / anchors.length, `sensitivity ${i + 1}/${anchors.length}: ${a.name}`);
  }
  if (sensitivity.size < anchors.length) {
    notes.push(
      `Sensitivity measured for ${sensitivity.size} of ${anchors.length} nodes before the ` +
        `${stoppedEarly === 'cancelled' ? 'cancel' : 'budget'}; the others count as least sensitive.`,
    );
  }

  // Speed-aware mixed precision, measured end to end: an int8 node pays for the Q/DQ at its borders, so
  // classes of nodes (depthwise convs, hard-swish Muls …) are turned float greedily while that makes the
  // whole model faster; then single nodes the profiler shows slower in int8 (by a clear margin) follow.
  let slower: string[] = [];
  let speedAware: Built | undefined;
  if (allInt8 && !timeUp(0.7)) {
    progress(61, 'speed-aware mixed precision: timing node classes');
    const classOf = new Map(anchors.map((a) => [a.name, a.kind]));
    const floatClasses = new Set<string>();
    const withClasses = (classes: ReadonlySet<string>) =>
      anchors.filter((a) => classes.has(classOf.get(a.name)!)).map((a) => a.name);
    const encodeStatic = (floatNodes: string[]) => {
      try {
        return encodeModel(staticWith(floatNodes).make().model);
      } catch {
        return undefined;
      }
    };
    for (let step = 0; step < 6 && !timeUp(0.7); step++) {
      const remaining = [...new Set(anchors.map((a) => a.kind))].filter((k) => !floatClasses.has(k));
      const trials = remaining.flatMap((k) => {
        const bytes = encodeStatic(withClasses(new Set([...floatClasses, k])));
        return bytes ? [{ id: k, bytes }] : [];
      });
      const current = encodeStatic(withClasses(floatClasses));
      if (!current || trials.length === 0) break;
      const timed = await measureRoundRobin(
        job.parentBytes,
        [{ id: '', bytes: current }, ...trials].map((t, i) => ({ id: `t${i}:${t.id}`, bytes: t.bytes })),
        samples[0]!,
        {
          budgetMs: 1500,
          minRounds: 5,
          maxRounds: 40,
        },
      );
      const base = timed.ms.get('t0:')!;
      let bestKind: string | undefined;
      let bestMs = base * (1 - SPEEDUP_MARGIN);
      trials.forEach((t, i) => {
        const ms = timed.ms.get(`t${i + 1}:${t.id}`)!;
        if (ms < bestMs) {
          bestMs = ms;
          bestKind = t.id;
        }
      });
      if (!bestKind) break;
      floatClasses.add(bestKind);
      notes.push(
        `Speed: ${bestKind} nodes float made the model ${((1 - bestMs / base) * 100).toFixed(0)} % faster.`,
      );
    }
    const byProfile = anchors
      .filter((a) => {
        const sp = nodeSpeed.get(a.name);
        return sp?.floatUs != null && sp.int8Us != null && sp.int8Us > sp.floatUs * PROFILE_SLOWER;
      })
      .map((a) => a.name);
    const classes = [...floatClasses];
    slower = withClasses(floatClasses);
    if (slower.length > 0 && slower.length < anchors.length) {
      const c = staticWith(slower);
      speedAware = await add(
        'int8-mixed',
        `${classes.join(', ')} nodes float (measured faster)`,
        c.make,
        c.exclude,
      );
    }
    // Single nodes by the profiler: kept only if the final timing says so (it is one more candidate).
    const refined = [...new Set([...slower, ...byProfile])];
    if (byProfile.length > 0 && refined.length > slower.length && refined.length < anchors.length) {
      const c = staticWith(refined);
      await add(
        'int8-mixed',
        `${classes.length > 0 ? `${classes.join(', ')} nodes float, and ` : ''}${byProfile.length} node(s) ` +
          `the profiler shows ≥ ${PROFILE_SLOWER}× slower in int8 float`,
        c.make,
        c.exclude,
      );
    }
  }

  // Accuracy repair: the most sensitive int8 nodes float, as few as meet the goal (bisection).
  const bySensitivity = [...anchors]
    .map((a) => ({ name: a.name, score: sensitivity.get(a.name) }))
    .sort((x, y) => sensitivityKey(goal, x.score) - sensitivityKey(goal, y.score))
    .map((x) => x.name);
  const repair = async (base: Built | undefined, baseFloat: readonly string[], label: string) => {
    if (!base || meetsGoal(goal, base.scores)) return base;
    const order = bySensitivity.filter((n) => !baseFloat.includes(n) && !forcedInt8.has(n));
    // The error sits in a few nodes on most models: grow k exponentially, then bisect the last step.
    let lo = 0;
    let hi = -1;
    let best: Built | undefined;
    const probe = async (k: number) => {
      const c = staticWith([...baseFloat, ...order.slice(0, k)]);
      progress(65 + Math.min(20, 2 * built.length), `${label}: ${k} most sensitive node(s) float`);
      const b = await add(
        'int8-mixed',
        `${label}, and the ${k} most sensitive node(s) float`,
        c.make,
        c.exclude,
      );
      return b && meetsGoal(goal, b.scores) ? b : undefined;
    };
    for (let k = 1; k <= Math.min(16, order.length - 1) && !timeUp(0.7); k *= 2) {
      const b = await probe(k);
      if (b) {
        best = b;
        hi = k;
        break;
      }
      lo = k;
    }
    while (hi > lo + 1 && !timeUp(0.7)) {
      const mid = (lo + hi) >> 1;
      const b = await probe(mid);
      if (b) {
        best = b;
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return best;
  };
  // When single-node sensitivity does not add up (errors that interact: a decomposed LayerNorm, a residual
  // chain), find the culprits as delta debugging does: which class of nodes, when float, recovers the most;
  // then the smallest part of that class that still meets the goal, by halving.
  const recover = async (base: Built | undefined, baseFloat: readonly string[], label: string) => {
    if (!base || meetsGoal(goal, base.scores)) return base;
    const quick = async (floatNodes: string[]) => {
      const c = staticWith(floatNodes);
      if (c.exclude.length >= anchors.length) return undefined;
      try {
        return await scorer.score(encodeModel(c.make().model), { quick: true });
      } catch {
        return undefined;
      }
    };
    let float = [...baseFloat];
    const kinds = [...new Set(anchors.map((a) => a.kind))];
    const members = (kind: string) =>
      anchors
        .filter((a) => a.kind === kind && !float.includes(a.name) && !forcedInt8.has(a.name))
        .map((a) => a.name);
    for (let round = 0; round < 4 && !timeUp(0.85); round++) {
      progress(75 + round * 3, `${label}: which node classes recover the goal`);
      let best: { kind: string; score: GoalScores } | undefined;
      for (const kind of kinds) {
        if (timeUp(0.85)) break;
        const m = members(kind);
        if (m.length === 0) continue;
        const score = await quick([...float, ...m]);
        if (score && (!best || goalDistance(goal, score) > goalDistance(goal, best.score)))
          best = { kind, score };
      }
      if (!best) break;
      // The smallest half of that class that still meets the goal (on quick scores), halving while it does.
      let keep = members(best.kind);
      if (meetsGoal(goal, best.score)) {
        while (keep.length > 1 && !timeUp(0.85)) {
          const half = keep.slice(0, keep.length >> 1);
          const other = keep.slice(keep.length >> 1);
          const a = await quick([...float, ...half]);
          if (a && meetsGoal(goal, a)) {
            keep = half;
            continue;
          }
          const b = await quick([...float, ...other]);
          if (b && meetsGoal(goal, b)) {
            keep = other;
            continue;
          }
          break;
        }
      }
      float = [...float, ...keep];
      const c = staticWith(float);
      const built = await add(
        'int8-mixed',
        `${label}; ${keep.length} ${best.kind} node(s) float (found by recovery)`,
        c.make,
        c.exclude,
      );
      if (built && meetsGoal(goal, built.scores)) return built;
    }
    return undefined;
  };
  const repairedSpeed =
    (await repair(speedAware, speedAware ? slower : [], 'speed-aware')) ??
    (await recover(speedAware ?? allInt8, speedAware ? slower : [], speedAware ? 'speed-aware' : 'all-int8'));
  const repairedAll = speedAware ? await repair(allInt8, [], 'all-int8') : undefined;

  // MatMul/Gemm left float by the best static candidate: dynamic INT8 (no calibration error on them).
  const bestStatic =
    [repairedSpeed, speedAware, repairedAll, allInt8].find((b) => b && meetsGoal(goal, b.scores)) ??
    speedAware ??
    allInt8;
  const dynConfig = int8DynamicConfigSchema.parse({ perChannel: true });
  if (bestStatic && !timeUp(0.9)) {
    const floatMatMuls = anchors.filter(
      (a) => (a.opType === 'MatMul' || a.opType === 'Gemm') && bestStatic.floatNodes.includes(a.name),
    );
    if (floatMatMuls.length > 0) {
      await add(
        'int8-mixed+dynamic',
        `${bestStatic.description}; ${floatMatMuls.length} float MatMul/Gemm as dynamic INT8`,
        () =>
          quantizeDynamic(cloneModelSharingTensorData(bestStatic.result.model), dynConfig, passCtx, {
            allowQuantized: true,
          }),
        bestStatic.floatNodes.filter((n) => !floatMatMuls.some((m) => m.name === n)),
      );
    }
  }
  // The float candidates start from the prepared graph (hard-swish fused, affines folded): it computes the
  // same function and runs faster than the file as exported (PaddleOCR rec: 0.78×).
  const floatBase = prepared ? floatGraph(prepared.pre.model) : job.parent;
  /** Per-tensor comparisons of a candidate made from floatBase read the prepared graph's tensor names. */
  const fromBase = (r: PassResult): PassResult => (prepared ? { ...r, preprocessed: prepared.pre.model } : r);
  if (prepared && !timeUp(0.91)) {
    await add(
      'fp32-prepared',
      `float32, prepared as ONNX Runtime runs it (${preparedWords(prepared)}): same outputs`,
      () => preparedFloat(prepared),
      [],
    );
  }
  let dynamic: Built | undefined;
  if (!timeUp(0.92)) {
    dynamic = await add(
      'int8-dynamic',
      'dynamic INT8 (MatMul/Gemm, per column)',
      () => fromBase(quantizeDynamic(floatBase, dynConfig, passCtx)),
      [],
    );
  }
  // Weights stored int8 (GPTQ on the calibration inputs), computed in float32: no activation rounding, the size
  // of INT8, the speed of the prepared float graph. With dynamic INT8 on MatMul/Gemm as well, where that exists.
  if (!timeUp(0.925)) {
    await add(
      'int8-weights',
      'INT8-stored weights (GPTQ; float16 for depthwise Convs), float32 compute',
      async () =>
        fromBase(await storeWeightsAsInt8(cloneModelSharingTensorData(floatBase), data.calibration, ctx)),
      [],
    );
  }
  // The output head keeps float compute (int8-stored weights): its arg-max decides the class or the character,
  // and rounding its input at run time flipped near-ties (PaddleOCR rec: 3 more of 100 lines read differently).
  const heads = outputHeads(floatBase);
  if (dynamic && !timeUp(0.93)) {
    await add(
      'int8-weights+dynamic',
      `dynamic INT8 (MatMul/Gemm${heads.length > 0 ? ' but the output head' : ''}) and INT8-stored weights ` +
        '(GPTQ), float32 compute elsewhere',
      async () => {
        const dyn = quantizeDynamic(
          floatBase,
          int8DynamicConfigSchema.parse({ perChannel: true, exclude: heads }),
          passCtx,
        );
        const r = await storeWeightsAsInt8(cloneModelSharingTensorData(dyn.model), data.calibration, ctx);
        return fromBase({ ...r, quantizedTensors: dyn.quantizedTensors });
      },
      [],
    );
  }
  // Convolutions float with their weights stored float16 (ONNX Runtime folds the Cast at load): no activation
  // error and no run-time cost, on top of dynamic INT8 where it applies.
  if (!timeUp(0.93)) {
    await add(
      'int8-dynamic+fp16',
      `${dynamic ? 'dynamic INT8 (MatMul/Gemm) and ' : ''}float16-stored Conv weights, float32 compute`,
      () => {
        const base = dynamic ? dynamic.result : undefined;
        const model = cloneModelSharingTensorData(base ? base.model : floatBase);
        if (storeConvWeightsAsFloat16(model) === 0) {
          throw new AppError('NOTHING_TO_QUANTIZE', 'no Conv with its own float32 weight');
        }
        const converted = { ...(base?.report.converted ?? {}), 'Conv (float16 weights)': 1 };
        return fromBase({
          model,
          report: { method: 'int8-dynamic', converted, skipped: [], calibration: null, warnings: [] },
          quantizedTensors: base?.quantizedTensors ?? [],
        });
      },
      [],
    );
  }
  if (!timeUp(0.94)) {
    await add(
      'fp16',
      'FP16 weights and compute, float32 inputs/outputs',
      async () => fromBase(await fp16Pass.run(floatBase, fp16ConfigSchema.parse({}), passCtx)),
      [],
    );
  }
  if (built.length === 0) {
    if (ctx.signal.aborted) throw new AppError('CANCELLED', 'Optimization cancelled. No variant was stored.');
    throw new AppError(
      'NOTHING_TO_QUANTIZE',
      'Nothing to quantize: no candidate could be built for this model (see the notes of each method by running ' +
        'it alone). FP32 stays the best choice.',
    );
  }

  // Latency: every candidate beside the parent, interleaved (skipped on cancel: saved as measured so far).
  let parentMs: number | null = null;
  let latency = new Map<string, number>();
  let rounds = 0;
  if (stoppedEarly !== 'cancelled') {
    progress(95, `timing ${built.length} candidates beside the parent`);
    const timed = await measureRoundRobin(job.parentBytes, built, samples[0]!, {
      budgetMs: Math.min(20_000, Math.max(2000, deadline - performance.now())),
      minRounds: 7,
      maxRounds: 60,
    });
    parentMs = timed.parentMs;
    latency = timed.ms;
    rounds = timed.rounds;
    if (job.target) {
      // Ranked by the estimate on the target; this machine's measured ratios stay in the notes.
      progress(96, `estimating ${built.length} candidates on ${job.target.profile.name}`);
      const local = built
        .map((b) => `${b.id} ${(latency.get(b.id)! / timed.parentMs).toFixed(2)}×`)
        .join(', ');
      notes.push(`Measured on this machine (not the target): ${local}.`);
      const estimated = await estimateLatencies(job.parentBytes, built, job.target, inputsOf(samples[0]!), {
        tmpRoot: job.scratchDir,
      });
      parentMs = estimated.parentMs;
      latency = estimated.ms;
    }
  }

  const parentSize = job.parentBytes.length;
  const ranked = built.map((b) => ({
    id: b.id,
    meetsGoal: meetsGoal(goal, b.scores),
    distance: goalDistance(goal, b.scores),
    latencyRatio: parentMs && latency.has(b.id) ? latency.get(b.id)! / parentMs : null,
    sizeRatio: b.bytes.length / parentSize,
  }));
  const front = paretoFront(
    ranked.map((r) => ({ id: r.id, latency: r.latencyRatio, size: r.sizeRatio, fidelity: r.distance })),
  );
  const choice = choose(ranked);
  const chosen = built.find((b) => b.id === choice?.id)!;
  const saveIds = [
    chosen.id,
    ...ranked
      .filter((r) => front.has(r.id) && r.meetsGoal && r.id !== chosen.id && (r.latencyRatio ?? 0) <= 1)
      .sort((a, b) => (a.latencyRatio ?? 1) - (b.latencyRatio ?? 1))
      .map((r) => r.id),
  ].slice(0, MAX_SAVED);

  const where = job.target ? `estimated on ${job.target.profile.name}` : 'measured on this machine';
  const verdict = verdictFor(choice!, ranked, built, goal, stoppedEarly, where);
  const candidates: AutoCandidate[] = built.map((b) => {
    const r = ranked.find((x) => x.id === b.id)!;
    return {
      id: b.id,
      kind: b.kind,
      description: b.description,
      int8Nodes: wholeModelKinds.has(b.kind) ? 0 : b.int8Nodes,
      floatNodes: wholeModelKinds.has(b.kind) ? anchors.length : b.floatNodes.length,
      sizeBytes: b.bytes.length,
      sizeRatio: r.sizeRatio,
      latencyMs: latency.get(b.id) ?? null,
      latencyRatio: r.latencyRatio,
      cosine: b.scores.cosine,
      sqnrDb: b.scores.sqnrDb,
      top1: b.scores.top1,
      accuracy: b.scores.accuracy,
      meetsGoal: r.meetsGoal,
      pareto: front.has(b.id),
      recommended: choice?.kind === 'recommended' && choice.id === b.id,
      savedAs: null,
      floatNodeNames: b.floatNodes,
    };
  });
  const chosenFloat = new Set(chosen.floatNodes);
  const nodes: AutoNode[] = anchors.map((a) => {
    const s = sensitivity.get(a.name);
    const speed = nodeSpeed.get(a.name);
    const isFloat = wholeModelKinds.has(chosen.kind) || chosenFloat.has(a.name);
    return {
      node: a.name,
      opType: a.opType,
      sensitivitySqnrDb: s?.sqnrDb ?? null,
      sensitivityCosine: s?.cosine ?? null,
      floatUs: speed?.floatUs ?? null,
      int8Us: speed?.int8Us ?? null,
      decision: isFloat ? 'float' : 'int8',
      reason: reasonFor(a.name, isFloat, chosen, { forcedFloat, forcedInt8, slower: new Set(slower) }),
    };
  });

  progress(97, `evaluating ${saveIds.length} variant(s) to store`);
  const kept: KeptVariant[] = [];
  for (const id of saveIds) {
    const b = built.find((x) => x.id === id)!;
    const fidelity = await evaluateFidelity({
      parent: job.parentBytes,
      variant: b.bytes,
      comparisonParent: b.result.preprocessed ? encodeModel(b.result.preprocessed) : undefined,
      quantizedTensors: b.result.quantizedTensors,
      samples: data.evaluation,
      source: data.source,
      latencyBudgetMs: stoppedEarly === 'cancelled' ? 300 : 1500,
    });
    kept.push({
      candidateId: id,
      method: b.kind,
      bytes: b.bytes,
      pass: { ...b.result.report, durationMs: b.durationMs },
      fidelity,
    });
  }

  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const report: AutoReport = {
    goal: goal.text,
    goalMet: ranked.some((r) => r.meetsGoal),
    target: job.config.target,
    measuredOn:
      (job.target
        ? `latency ESTIMATED on ${job.target.profile.name} (${job.target.profile.id}, ${job.target.profile.cores} ` +
          `threads) by the benchmark estimator's per-op model of ONNX Runtime's optimized graph, calibrated on ` +
          `this machine${job.target.correction ? ` and corrected by ${job.target.correction.basedOn} device run(s)` : ''}` +
          ' — not measured on the device; per-node kernel times were measured on this machine. '
        : '') +
      `this machine (${cpu}, ${cpus().length} cores), ONNX Runtime ${onnxRuntimeVersion} CPU, 1 thread, graph ` +
      `optimization 'all'. Latency: median of ${rounds} round-robin rounds of the parent and every candidate in ` +
      `one process. Fidelity: ${scorer.samples} ${data.source} sample(s) against the parent's outputs.`,
    candidates,
    nodes,
    recommendedId: choice?.kind === 'recommended' ? choice.id : null,
    verdict,
    notes: [...notes, ...(prepared?.warnings ?? [])],
    stoppedEarly,
    searchMs: performance.now() - started,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    scoringSamples: scorer.samples,
  };
  return { report, kept };
}

/** Undefined when static INT8 has nothing to quantize (e.g. all compute inside control flow): said in notes. */
async function prepareStatic(
  job: AutoJob,
  ctx: PassContext,
  notes: string[],
): Promise<Int8StaticPrepared | undefined> {
  try {
    return await prepareStaticWithGranularity(job, ctx, notes);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'NOTHING_TO_QUANTIZE') throw err;
    notes.push(`Static INT8 left out: ${err.message}`);
    return undefined;
  }
}

/** Per-channel weights whenever the opset allows (after upgrading it), else per-tensor, said in notes. */
async function prepareStaticWithGranularity(
  job: AutoJob,
  ctx: PassContext,
  notes: string[],
): Promise<Int8StaticPrepared> {
  const base = { calibrator: job.config.calibrator };
  try {
    return await prepareInt8Static(
      job.parent,
      int8StaticConfigSchema.parse({ ...base, perChannel: true }),
      ctx,
      'all',
    );
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'OPSET_TOO_OLD') throw err;
    notes.push(`Per-tensor weights: ${err.message.split(' — ')[0]}.`);
    return prepareInt8Static(
      job.parent,
      int8StaticConfigSchema.parse({ ...base, perChannel: false }),
      ctx,
      'all',
    );
  }
}

/** The prepared graph as float compute runs it fastest in ONNX Runtime (a copy: the static candidates keep theirs). */
function floatGraph(pre: ModelProto): ModelProto {
  const model = cloneModelSharingTensorData(pre);
  shiftsAsBatchNorm(model);
  return model;
}

/** The prepared float graph as a candidate of its own. */
function preparedFloat(p: Int8StaticPrepared): PassResult {
  return {
    model: floatGraph(p.pre.model),
    report: {
      method: 'int8-static',
      converted: {},
      skipped: [],
      calibration: null,
      warnings: [
        'Nothing quantized: the float32 graph as prepared for ONNX Runtime, computing the same function.',
      ],
    },
    quantizedTensors: [],
    preprocessed: p.pre.model,
  };
}

function preparedWords(p: Int8StaticPrepared): string {
  const done = [
    'BatchNorm and constants folded',
    p.pre.foldedAffine > 0 ? `${p.pre.foldedAffine} Mul/Add folded into Convs` : '',
    p.pre.hardSwish.hardSwish > 0 ? `${p.pre.hardSwish.hardSwish} hard-swish fused` : '',
    p.pre.hardSwish.affineFolded > 0 ? `${p.pre.hardSwish.affineFolded} affine(s) after them folded` : '',
  ];
  return done.filter(Boolean).join(', ');
}

function perChannelWords(p: Int8StaticPrepared): string {
  return p.config.perChannel ? 'per-channel' : 'per-tensor';
}

/** The compute nodes the all-int8 plan quantizes: the units of every decision. */
function anchorNodes(p: Int8StaticPrepared): { name: string; opType: string; kind: string }[] {
  const plan = planQdq(cloneModelSharingTensorData(p.pre.model), p.pre.shapes, {
    ...p.config,
    exclude: [],
    opset: p.pre.opset,
  });
  const skipped = new Set(plan.skipped.map((s) => s.node));
  const inits = initializerMap(p.pre.model.graph!);
  return p.pre.model
    .graph!.node.filter((n) => COMPUTE_OPS.has(n.opType) && !skipped.has(n.name))
    .map((n) => ({ name: n.name, opType: n.opType, kind: nodeKind(n, inits) }));
}

/** The classes the speed search turns float together: convolutions by shape, other ops by type. */
function nodeKind(n: NodeProto, inits: ReadonlyMap<string, TensorProto>): string {
  if (n.opType !== 'Conv') return n.opType;
  const dims = inits.get(n.input[1] ?? '')?.dims.map(Number) ?? [];
  const group = getAttrInt(n, 'group', 1);
  if (group > 1 && dims[1] === 1) return 'depthwise Conv';
  if (dims.length === 4 && dims[2] === 1 && dims[3] === 1) return 'pointwise Conv';
  return 'Conv';
}

/** Lower = more sensitive; unmeasured nodes sort last. */
function sensitivityKey(goal: Goal, s: GoalScores | undefined): number {
  return s ? goalDistance(goal, s) : Infinity;
}

function reasonFor(
  name: string,
  isFloat: boolean,
  chosen: Built,
  sets: { forcedFloat: Set<string>; forcedInt8: Set<string>; slower: Set<string> },
): string {
  if (chosen.kind === 'fp16') return 'the chosen variant is FP16';
  if (chosen.kind === 'int8-dynamic')
    return 'the chosen variant is dynamic INT8 (MatMul/Gemm quantized at run time)';
  if (chosen.kind === 'int8-dynamic+fp16')
    return 'the chosen variant is dynamic INT8 for MatMul/Gemm with float16-stored Conv weights';
  if (chosen.kind === 'fp32-prepared') return 'the chosen variant is the prepared float32 graph';
  if (chosen.kind === 'int8-weights' || chosen.kind === 'int8-weights+dynamic')
    return 'the chosen variant stores weights as int8 and computes in float32';
  if (sets.forcedFloat.has(name)) return 'forced float';
  if (sets.forcedInt8.has(name)) return 'forced int8';
  if (!isFloat) return 'int8: within the goal and not slower';
  if (sets.slower.has(name)) return 'float: its int8 kernel (with the Q/DQ it needs) ran slower than float';
  return 'float: among the most sensitive, needed to meet the goal';
}

function fmt(x: number | null, digits: number): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

function verdictFor(
  choice: NonNullable<ReturnType<typeof choose>>,
  ranked: readonly Ranked[],
  built: readonly Built[],
  goal: Goal,
  stoppedEarly: AutoReport['stoppedEarly'],
  where: string,
): string {
  const r = ranked.find((x) => x.id === choice.id)!;
  const b = built.find((x) => x.id === choice.id)!;
  const what = `${b.kind} (${b.description})`;
  const figures =
    `latency ${fmt(r.latencyRatio, 2)}× (${where}) and size ${r.sizeRatio.toFixed(2)}× of the parent, cosine ` +
    `${fmt(b.scores.cosine, 5)}, SQNR ${fmt(b.scores.sqnrDb, 1)} dB`;
  const early =
    stoppedEarly === 'cancelled'
      ? ' The search was cancelled: this is the best found so far, and latency was not measured.'
      : stoppedEarly === 'budget'
        ? ' The time budget ran out before the search finished: this is the best found so far.'
        : '';
  switch (choice.kind) {
    case 'recommended': {
      const timed = built.map((x) => ({
        kind: x.kind,
        latencyRatio: ranked.find((y) => y.id === x.id)!.latencyRatio,
      }));
      const caveat = speedCaveat({ kind: b.kind, latencyRatio: r.latencyRatio }, timed);
      return `Recommended: ${what} — ${figures}; meets ${goal.text}.${caveat ? ` ${caveat}` : ''}${early}`;
    }
    case 'size-only':
      return (
        `No variant that meets ${goal.text} runs faster than the parent (${where}: the fastest is ` +
        `${fmt(choice.fastestRatio, 2)}×): for speed, deploy the parent. Saved for size only: ${what} — ${figures}.${early}`
      );
    case 'goal-not-met':
      return (
        `Goal not met: no candidate reaches ${goal.text}. Closest: ${what} — ${figures}. To get there: give more, ` +
        `and more representative, calibration data, force the nodes with the worst sensitivity float, or use a ` +
        `training-based method (quantization-aware fine-tuning).${early}`
      );
  }
}
