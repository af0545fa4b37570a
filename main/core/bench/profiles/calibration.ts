import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import type { BenchInput, MeasuredPeaks } from '../../../../shared/schemas/bench';
import { throwIfCancelled } from '../../jobs/job-manager';
import { encodeModel } from '../../onnx';
import type { RoundsModel } from '../runner/local-runner';
import { runChildJob, timeInRounds } from '../runner/local-runner';
import {
  depthwiseConvModel,
  fp32ConvModel,
  fp32MatMulModel,
  int8ConvModel,
  int8MatMulModel,
  kernelChainModel,
  streamingModel,
} from './micro-models';

/**
 * Calibration of this machine with ORT micro-runs:
 *   fp32 GEMM    512×512 · 512×512 MatMul          → achieved GFLOP/s
 *   int8 GEMM    the same as u8s8 QLinearMatMul    → achieved GOP/s
 *   conv         3×3 Conv 128→128 ch. at 28×28, fp32 and u8s8 QLinearConv → achieved GFLOP/s, GOP/s
 *   depthwise    3×3 depthwise Conv, 64 ch. at 56×56 → achieved GFLOP/s
 *   streaming    8 element-wise ops on 4 M floats  → bytes moved ÷ time (GB/s), cache-sized working set
 *   small        32 element-wise ops on 32 K floats → the same, L2-sized working set
 *   dispatch     200 element-wise ops on 16 floats → µs per kernel
 *   run          1 op on 16 floats                 → µs per session.run call
 * All in one child process, in turns (6 rounds of 60 ms windows each); each figure is the lowest window median:
 * the machine may be shared, and calibration is about what the hardware does, not about what else runs.
 */

export type CalibrationOptions = {
  threads: number;
  signal?: AbortSignal;
  tmpRoot?: string;
  /** Scales the number of rounds (tests use less). Default 1 (6 rounds). */
  effort?: number;
};

const gemmN = 512;
const streamElements = 4 * 1024 * 1024;
const streamOps = 8;
const smallElements = 32 * 1024;
const smallOps = 32;
const chainOps = 200;
const conv = { cin: 128, cout: 128, size: 28 };
const dw = { channels: 64, size: 56 };

/** Ids of the micro models, prefixed so they can share a rounds run with other models. */
const calibrationPrefix = 'calibration:';

type MicroModel = { id: string; model: ModelProto; input: BenchInput };

function calibrationModels(): MicroModel[] {
  const n = gemmN;
  const f32 = (dims: number[]): BenchInput => ({ name: 'x', dtype: 'float32', dims });
  const u8 = (dims: number[]): BenchInput => ({ name: 'x', dtype: 'uint8', dims });
  const convDims = [1, conv.cin, conv.size, conv.size];
  return [
    { id: 'fp32', model: fp32MatMulModel(n, n, n), input: f32([n, n]) },
    { id: 'int8', model: int8MatMulModel(n, n, n), input: u8([n, n]) },
    { id: 'conv', model: fp32ConvModel(conv.cin, conv.cout, conv.size), input: f32(convDims) },
    { id: 'int8conv', model: int8ConvModel(conv.cin, conv.cout, conv.size), input: u8(convDims) },
    {
      id: 'depthwise',
      model: depthwiseConvModel(dw.channels, dw.size),
      input: f32([1, dw.channels, dw.size, dw.size]),
    },
    { id: 'stream', model: streamingModel(streamElements, streamOps), input: f32([streamElements]) },
    { id: 'small', model: streamingModel(smallElements, smallOps), input: f32([smallElements]) },
    { id: 'chain', model: kernelChainModel(chainOps), input: f32([1, 16]) },
    { id: 'single', model: kernelChainModel(1), input: f32([1, 16]) },
  ].map((m) => ({ ...m, id: `${calibrationPrefix}${m.id}` }));
}

/** Writes the micro models into `dir` as rounds entries. */
export async function writeCalibrationModels(dir: string): Promise<RoundsModel[]> {
  return Promise.all(
    calibrationModels().map(async (m) => {
      const modelPath = join(dir, `${m.id.slice(calibrationPrefix.length)}.onnx`);
      await writeFile(modelPath, encodeModel(m.model));
      return { id: m.id, modelPath, inputs: [m.input] };
    }),
  );
}

const round = (x: number, d = 100) => Math.round(x * d) / d;

/** The machine's figures from the quiet medians (ms) of the micro models. */
export function peaksFromTimings(
  quietMs: (id: string) => number,
  context: { threads: number; ortVersion: string; runtimeBaselineBytes: number },
): MeasuredPeaks {
  const ms = (id: string) => quietMs(`${calibrationPrefix}${id}`);
  const flops = 2 * gemmN ** 3;
  const convFlops = 2 * conv.cout * conv.size ** 2 * conv.cin * 9;
  const dwFlops = 2 * dw.channels * dw.size ** 2 * 9;
  const runUs = ms('single') * 1000;
  const kernelUs = Math.max(0, (ms('chain') * 1000 - runUs) / (chainOps - 1));
  // Each element-wise op reads and writes the tensor; the ReduceMax reads it once more.
  const streamBytes = streamElements * 4 * (2 * streamOps + 1);
  const streamMs = Math.max(1e-6, ms('stream') - (runUs + (streamOps + 1) * kernelUs) / 1000);
  const smallBytes = smallElements * 4 * (2 * smallOps + 1);
  const smallMs = Math.max(1e-6, ms('small') - (runUs + (smallOps + 1) * kernelUs) / 1000);
  return {
    threads: context.threads,
    fp32Gflops: round(flops / (ms('fp32') * 1e6)),
    int8Gops: round(flops / (ms('int8') * 1e6)),
    fp32ConvGflops: round(convFlops / (ms('conv') * 1e6)),
    int8ConvGops: round(convFlops / (ms('int8conv') * 1e6)),
    depthwiseGflops: round(dwFlops / (ms('depthwise') * 1e6)),
    bandwidthGBs: round(streamBytes / (streamMs * 1e6)),
    smallBandwidthGBs: round(smallBytes / (smallMs * 1e6)),
    kernelOverheadUs: round(kernelUs, 1000),
    runOverheadUs: round(runUs, 1000),
    runtimeBaselineBytes: context.runtimeBaselineBytes,
    ortVersion: context.ortVersion,
    measuredAt: new Date().toISOString(),
  };
}

const calibrationRounds = 6;
const calibrationWindowMs = 60;

export async function calibrateThisMachine(options: CalibrationOptions): Promise<MeasuredPeaks> {
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'edgefleet-calibrate-'));
  try {
    throwIfCancelled(options.signal);
    const models = await writeCalibrationModels(dir);
    const common = {
      signal: options.signal,
      tmpRoot: options.tmpRoot,
    };
    const timed = await timeInRounds(models, {
      label: 'calibration',
      threads: options.threads,
      rounds: Math.max(2, Math.round(calibrationRounds * (options.effort ?? 1))),
      windowMs: calibrationWindowMs,
      minIterations: 5,
      ...common,
    });
    return peaksFromTimings((id) => timed.models.get(id)?.quietMs ?? Number.NaN, {
      threads: options.threads,
      ortVersion: timed.ortVersion,
      runtimeBaselineBytes: await runtimeBaseline(models, options.threads, common),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Peak resident memory of a runner process that ran a one-op model a few times: Node, ORT, a session with its
 * thread pool and arena — what any model costs before its own weights and activations.
 */
export async function runtimeBaseline(
  models: readonly RoundsModel[],
  threads: number,
  options: { signal?: AbortSignal; tmpRoot?: string },
): Promise<number> {
  const single = models.find((m) => m.id === `${calibrationPrefix}single`);
  if (!single) return 0;
  const run = await runChildJob(
    {
      mode: 'bench',
      modelPath: single.modelPath,
      threads,
      optimizationLevel: 'all',
      warmupIterations: 1,
      stop: { kind: 'iterations', count: 3 },
      maxIterations: 3,
      inputs: single.inputs,
      seed: 1,
    },
    { label: 'runtime baseline', ...options },
  );
  return run.peakRssBytes ?? run.baselineRssBytes ?? 0;
}
