import type * as ort from 'onnxruntime-node';
import { AppError } from '../../../../shared/errors';
import type { FidelityReport, OutputFidelity } from '../../../../shared/schemas/optimize';
import { throwIfCancelled, type ProgressReport } from '../../jobs/job-manager';
import { isDataSource } from '../data/sample-source';
import type { QuantizedTensor, Sample, SampleSource } from '../types';
import { argMax, classScoreRows } from './class-scores';
import { addPairs, cosine, createErrorSums, meanAbs, sqnrDb, type ErrorSums } from './error-metrics';
import { measureLatency } from './latency';
import { noiseBudgetOf, noiseBudgetWarning } from './noise-budget';
import { createSession, feedsFor, releaseAll, runSession } from './sessions';
import { quantizedTensorSqnr } from './tensor-sqnr';
import { tensorValues } from './tensor-values';

export type EvaluateFidelityArgs = {
  /** The float model's bytes. */
  parent: Uint8Array;
  variant: Uint8Array;
  samples: SampleSource;
  source: FidelityReport['source'];
  /** What the pass quantized: compared layer by layer when given. */
  quantizedTensors?: readonly QuantizedTensor[];
  /** The pre-processed float model whose tensor names quantizedTensors use (default: parent). */
  comparisonParent?: Uint8Array;
  signal?: AbortSignal;
  progress?: (report: ProgressReport) => void;
  /** Timed runs of each model, exactly. Default: 30 to 1,000, until 0.5 s of runs (see LatencyOptions). */
  latencyRuns?: number;
  /** Default 3000 ms of timed runs. */
  latencyBudgetMs?: number;
};

type OutputState = {
  name: string;
  sums: ErrorSums;
  classes: { rows: number; classes: number } | null;
  agree: number;
  rows: number;
  skipped: boolean;
};

/**
 * Compares a variant with its parent on real samples: per-output error metrics, accuracy against labels,
 * per-quantized-tensor SQNR, file sizes, and interleaved latency. Definitions: fidelity/README.md.
 */
export async function evaluateFidelity(args: EvaluateFidelityArgs): Promise<FidelityReport> {
  const { samples, signal } = args;
  const progress = args.progress ?? (() => undefined);
  const warnings: string[] = isDataSource(samples) ? [...samples.warnings] : [];
  if (samples.random) {
    warnings.push(
      'Fidelity was measured on random inputs, not real data: these numbers say little about accuracy on real ' +
        'inputs. Give evaluation data (.npy or images) for a meaningful report.',
    );
  }
  if (samples.count === 0) {
    throw new AppError(
      'DATA_EMPTY',
      `${samples.description} holds no samples: there is nothing to compare on.`,
    );
  }
  const tensors = args.quantizedTensors ?? [];
  // Progress shares: outputs, per-tensor comparison (when asked for), latency.
  const share = tensors.length > 0 ? [0.5, 0.3, 0.2] : [0.8, 0, 0.2];
  const report = (percent: number, message: string) =>
    progress({ phase: 'evaluating', percent: Math.min(100, Math.round(percent * 10) / 10), message });

  let parent: ort.InferenceSession | undefined;
  let variant: ort.InferenceSession | undefined;
  try {
    parent = await createSession(args.parent, 'parent', 'all');
    variant = await createSession(args.variant, 'variant', 'all');
    for (const name of parent.outputNames) {
      if (!variant.outputNames.includes(name)) {
        throw new AppError(
          'INTERNAL',
          `The variant has no output '${name}' (it has ${variant.outputNames.join(', ')}): it cannot replace its parent.`,
        );
      }
    }

    const outputs: OutputState[] = parent.outputNames.map((name) => ({
      name,
      sums: createErrorSums(),
      classes: null,
      agree: 0,
      rows: 0,
      skipped: false,
    }));
    const accuracy = { parent: 0, variant: 0, samples: 0 };
    let accuracyOutput: OutputState | undefined;
    let labelOutOfRange = 0;
    let index = 0;
    report(0, 'comparing outputs');
    for await (const sample of samples.read()) {
      throwIfCancelled(signal);
      const ref = await runSession(parent, feedsFor(parent, sample, 'parent'), 'parent');
      const out = await runSession(variant, feedsFor(variant, sample, 'variant'), 'variant');
      for (const o of outputs) {
        const x = ref[o.name]!;
        const y = out[o.name]!;
        const xv = tensorValues(x);
        const yv = tensorValues(y);
        if (!xv || !yv) {
          o.skipped = true;
          continue;
        }
        if (xv.length !== yv.length) {
          throw new AppError(
            'INTERNAL',
            `The variant's output '${o.name}' has shape [${y.dims.join(',')}] but the parent's has ` +
              `[${x.dims.join(',')}]: the variant does not compute the same thing. Please report this.`,
          );
        }
        addPairs(o.sums, xv, yv);
        if (index === 0) o.classes = classScoreRows(x.type, x.dims);
        const cls = o.classes;
        if (cls && cls.rows * cls.classes === xv.length) {
          for (let r = 0; r < cls.rows; r++) {
            if (argMax(xv, r * cls.classes, cls.classes) === argMax(yv, r * cls.classes, cls.classes))
              o.agree++;
          }
          o.rows += cls.rows;
        }
      }
      if (index === 0) accuracyOutput = outputs.find((o) => o.classes !== null);
      const label = samples.labels?.[index] ?? null;
      if (label !== null && accuracyOutput?.classes?.rows === 1) {
        const { classes } = accuracyOutput.classes;
        if (label >= classes) labelOutOfRange++;
        const xv = tensorValues(ref[accuracyOutput.name]!)!;
        const yv = tensorValues(out[accuracyOutput.name]!)!;
        if (argMax(xv, 0, classes) === label) accuracy.parent++;
        if (argMax(yv, 0, classes) === label) accuracy.variant++;
        accuracy.samples++;
      }
      index++;
      report(
        (share[0]! * 100 * index) / samples.count,
        `compared outputs on ${index}/${samples.count} samples`,
      );
    }

    if (samples.labels) {
      if (!accuracyOutput) {
        warnings.push(
          'The data has labels, but no output looks like class scores ([N, classes]): accuracy is not reported.',
        );
      } else if (accuracyOutput.classes!.rows !== 1) {
        warnings.push(
          `The data has labels, but output '${accuracyOutput.name}' holds ${accuracyOutput.classes!.rows} predictions ` +
            'per sample (one label each is needed): accuracy is not reported.',
        );
      }
    }
    if (labelOutOfRange > 0) {
      warnings.push(
        `${labelOutOfRange} label(s) name a class beyond the output's classes: they count as misses.`,
      );
    }
    const outputReports: OutputFidelity[] = [];
    for (const o of outputs) {
      if (o.skipped) {
        warnings.push(`Output '${o.name}' holds strings: it is not compared.`);
        continue;
      }
      if (o.sums.nonFinite > 0) {
        warnings.push(
          `Output '${o.name}': ${o.sums.nonFinite} values were NaN or infinite and are left out of its metrics.`,
        );
      }
      outputReports.push({
        name: o.name,
        sqnrDb: sqnrDb(o.sums),
        cosine: cosine(o.sums),
        maxAbsError: o.sums.maxAbs,
        meanAbsError: meanAbs(o.sums),
        top1Agreement: o.classes && o.rows > 0 ? o.agree / o.rows : null,
      });
    }

    const tensorReports =
      tensors.length > 0
        ? await quantizedTensorSqnr({
            reference: args.comparisonParent ?? args.parent,
            variant: args.variant,
            tensors,
            samples,
            warnings,
            signal,
            onSample: (done) =>
              report(
                100 * (share[0]! + (share[1]! * done) / samples.count),
                `compared quantized tensors on ${done}/${samples.count} samples`,
              ),
          })
        : [];

    const noiseBudget = noiseBudgetOf(tensorReports, outputReports);
    const beyondEightBits = noiseBudgetWarning(noiseBudget);
    if (beyondEightBits !== null) warnings.push(beyondEightBits);

    throwIfCancelled(signal);
    const first = await firstSample(samples);
    const latency = await measureLatency(
      { session: parent, feeds: feedsFor(parent, first, 'parent') },
      { session: variant, feeds: feedsFor(variant, first, 'variant') },
      {
        runs: args.latencyRuns,
        budgetMs: args.latencyBudgetMs,
        signal,
        onProgress: (fraction) => report(100 * (share[0]! + share[1]! + share[2]! * fraction), 'timing'),
      },
    );
    report(100, 'done');
    return {
      samples: samples.count,
      source: args.source,
      outputs: outputReports,
      accuracy:
        accuracy.samples > 0
          ? {
              parent: accuracy.parent / accuracy.samples,
              variant: accuracy.variant / accuracy.samples,
              samples: accuracy.samples,
            }
          : null,
      tensors: tensorReports,
      noiseBudget,
      sizeBytes: {
        parent: args.parent.byteLength,
        variant: args.variant.byteLength,
        ratio: args.parent.byteLength > 0 ? args.variant.byteLength / args.parent.byteLength : 1,
      },
      latencyMs: latency,
      warnings,
    };
  } finally {
    await releaseAll([parent, variant]);
  }
}

/** Sample 0 again (read anew rather than kept, so at most one sample is held at a time). */
async function firstSample(samples: SampleSource): Promise<Sample> {
  for await (const s of samples.read({ start: 0, end: 1 })) return s;
  throw new AppError('DATA_EMPTY', `${samples.description} holds no samples.`);
}
