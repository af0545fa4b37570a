/**
 * Sensitivity scan: each prunable group is pruned alone at the probe ratio and the model's outputs are compared
 * with the unpruned model's on a few samples (output SQNR over all outputs). Groups whose removal costs little
 * can then lose more channels than those that cost a lot.
 */
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { throwIfCancelled } from '../../jobs/job-manager';
import { encodeModel } from '../../onnx';
import { openSampleSource } from '../data';
import { sqnrDb } from '../quant';
import type { Sample, SampleSource } from '../types';
import { applyChannelPruning, type KeepPlan } from './apply-channel-pruning';
import type { ChannelGraph } from './channel-graph';

/** Enough samples to rank groups; the scan runs the model once per group per sample. */
const SCAN_SAMPLES = 8;

export async function scanSensitivity(
  model: ModelProto,
  groups: readonly number[],
  planFor: (group: number) => KeepPlan,
  cg: ChannelGraph,
  means: ReadonlyMap<string, Float64Array> | undefined,
  opts: { samples?: SampleSource; signal: AbortSignal; progress: (done: number) => void },
): Promise<{ sqnr: Map<number, number>; warnings: string[] }> {
  const warnings: string[] = [];
  let source = opts.samples;
  if (!source || source.random) {
    source = await openSampleSource({ kind: 'random', count: SCAN_SAMPLES, seed: 5 }, model);
    warnings.push(
      'The sensitivity scan ran on random inputs (give --calibration data for a ranking on real inputs).',
    );
  }
  const samples: Sample[] = [];
  for await (const s of source.read({ start: 0, end: Math.min(SCAN_SAMPLES, source.count) })) samples.push(s);

  const reference = await runAll(encodeModel(model), samples);
  const sqnr = new Map<number, number>();
  let done = 0;
  for (const g of groups) {
    throwIfCancelled(opts.signal);
    const pruned = applyChannelPruning(model, cg, planFor(g), means).model;
    const got = await runAll(encodeModel(pruned), samples);
    sqnr.set(g, sqnrDb(reference, got));
    opts.progress(++done);
  }
  return { sqnr, warnings };
}

/** Every float output of every sample, concatenated. */
async function runAll(bytes: Uint8Array, samples: readonly Sample[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
  });
  try {
    const parts: Float32Array[] = [];
    for (const sample of samples) {
      const feeds: Sample = {};
      for (const name of session.inputNames) feeds[name] = sample[name]!;
      const out = await session.run(feeds);
      for (const name of session.outputNames) {
        const t = out[name]!;
        if (t.type === 'float32') parts.push(t.data as Float32Array);
      }
    }
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return all;
  } finally {
    await session.release();
  }
}
