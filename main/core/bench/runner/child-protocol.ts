import type { BenchInput, OptimizationLevel, StopRule } from '../../../../shared/schemas/bench';

/**
 * What the benchmark runner scripts (node-runner.ts, python-runner.ts) read and print. The same protocol serves
 * the local child process and runs on devices: a JSON config file in, one marked JSON line out.
 */

const resultMarker = '@@edgefleet-bench@@';

/** A sample tensor in the samples file: raw little-endian bytes at [offset, offset + byteLength). */
export type SampleTensorRef = {
  name: string;
  dtype: BenchInput['dtype'];
  dims: number[];
  offset: number;
  byteLength: number;
};

export type ChildConfig = {
  /**
   * bench: load, warm up, time runs. shapes: run once and report every output's dtype and dims. optimize: load
   * with `optimizedModelPath` set (ORT writes its optimized graph there) and stop. rounds (Node runner only):
   * time every model of `models` in turns, `rounds` windows each of `stop` (a duration rule), random inputs.
   */
  mode: 'bench' | 'shapes' | 'optimize' | 'rounds';
  modelPath: string;
  /** What the Node runner `require`s: an absolute path to the onnxruntime-node package, or a module name. */
  ortModule: string;
  threads: number;
  optimizationLevel: OptimizationLevel;
  optimizedModelPath?: string;
  /** ORT graph transformers to skip by name (session config optimization.disable_specified_optimizers). */
  disabledOptimizers?: string[];
  warmupIterations: number;
  stop: StopRule;
  /** Hard cap on timed runs in duration mode (keeps the latency list bounded). */
  maxIterations: number;
  inputs: BenchInput[];
  seed: number;
  /** For mode rounds. */
  models?: { id: string; modelPath: string; inputs: BenchInput[] }[];
  rounds?: number;
  /** Samples to cycle through instead of random inputs. */
  samples?: { path: string; items: SampleTensorRef[][] };
};

export type ChildSuccess = {
  ok: true;
  mode: ChildConfig['mode'];
  ortVersion: string;
  loadMs: number;
  warmupMs: number | null;
  latenciesMs: number[];
  totalMs: number;
  baselineRssBytes: number | null;
  peakRssBytes: number | null;
  outputs?: Record<string, { dtype: string; dims: number[] }>;
  /** Mode rounds: per model id, the latencies of each window. */
  windows?: Record<string, number[][]>;
};

export type ChildFailure = {
  ok: false;
  /** runtime: ORT could not be loaded; load: the model; inputs: feeds; run: inference. */
  stage: 'config' | 'runtime' | 'load' | 'inputs' | 'run';
  message: string;
};

type ChildResult = ChildSuccess | ChildFailure;

/** The last marked line of a runner's stdout, parsed; undefined when there is none (the process died). */
export function parseChildOutput(stdout: string): ChildResult | undefined {
  const at = stdout.lastIndexOf(resultMarker);
  if (at < 0) return undefined;
  const line = stdout.slice(at + resultMarker.length).split('\n')[0] ?? '';
  try {
    const value = JSON.parse(line) as unknown;
    if (value !== null && typeof value === 'object' && 'ok' in value) return value as ChildResult;
  } catch {
    // A truncated line (killed while writing) counts as no result.
  }
  return undefined;
}
