import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../../shared/errors';
import type { BenchInput, BenchSettings, MeasuredRun } from '../../../../shared/schemas/bench';
import { benchDtypeSchema } from '../../../../shared/schemas/bench';
import type { ChildConfig, ChildSuccess, SampleTensorRef } from './child-protocol';
import { latencyStats, percentile } from './latency-stats';
import { runBenchChild } from './run-child';

/** A sample as ORT tensors carry it (an `ort.Tensor` fits). */
export type SampleFeeds = Readonly<
  Record<string, { readonly type: string; readonly dims: readonly number[]; readonly data: unknown }>
>;

export type ChildJobOptions = {
  /** For messages: the model's name. */
  label: string;
  /** Default 10 minutes. */
  timeoutMs?: number;
  /** Resident-memory limit of the child; null = none. */
  memoryLimitBytes?: number | null;
  signal?: AbortSignal;
  /** Parent of the per-run temp dir (default: the OS temp dir). */
  tmpRoot?: string;
};

export type LocalBenchOptions = ChildJobOptions & {
  modelPath: string;
  settings: BenchSettings;
  /** Inputs to cycle through (settings.inputData must then be `samples`). */
  samples?: readonly SampleFeeds[];
  /** Cap on timed runs in duration mode. Default 100 000. */
  maxIterations?: number;
};

export const defaultBenchTimeoutMs = 10 * 60_000;

/** onnxruntime-node as this process resolves it: the child loads exactly the same build. */
export function localOrtModule(): string {
  return createRequire(import.meta.url).resolve('onnxruntime-node');
}

/** One job of the runner script in a fresh child process, in a temp dir removed afterwards. */
export async function runChildJob(
  config: Omit<ChildConfig, 'ortModule'>,
  options: ChildJobOptions,
  prepare?: (workDir: string) => Promise<Partial<ChildConfig>>,
): Promise<ChildSuccess> {
  const workDir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'edgefleet-bench-'));
  try {
    const extra = prepare ? await prepare(workDir) : {};
    return await runBenchChild(
      { ...config, ortModule: localOrtModule(), ...extra },
      {
        workDir,
        label: options.label,
        timeoutMs: options.timeoutMs ?? defaultBenchTimeoutMs,
        memoryLimitBytes: options.memoryLimitBytes ?? null,
        signal: options.signal,
      },
    );
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Benchmarks one model file on this machine, in a child process. */
export async function benchmarkLocal(options: LocalBenchOptions): Promise<MeasuredRun> {
  const { settings } = options;
  if (options.samples && settings.inputData.kind !== 'samples') {
    throw new AppError('INTERNAL', 'Samples were given but the settings say random inputs.');
  }
  const result = await runChildJob(
    {
      mode: 'bench',
      modelPath: options.modelPath,
      threads: settings.threads,
      optimizationLevel: settings.optimizationLevel,
      warmupIterations: settings.warmupIterations,
      stop: settings.stop,
      maxIterations: options.maxIterations ?? 100_000,
      inputs: settings.inputs,
      seed: settings.inputData.kind === 'random' ? settings.inputData.seed : 0,
    },
    options,
    async (workDir) =>
      options.samples ? { samples: await writeSamplesFile(workDir, options.samples, settings.inputs) } : {},
  );
  return measuredRunFrom(result, 'onnxruntime-node');
}

export function measuredRunFrom(result: ChildSuccess, runtime: MeasuredRun['runtime']): MeasuredRun {
  return {
    runtime,
    ortVersion: result.ortVersion,
    latency: latencyStats(result.latenciesMs, result.totalMs),
    loadMs: round(result.loadMs),
    warmupMs: result.warmupMs === null ? null : round(result.warmupMs),
    peakRssBytes: result.peakRssBytes,
    baselineRssBytes: result.baselineRssBytes,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Writes the samples as one binary file (raw tensor bytes back to back) plus the index the runner reads. Each
 * sample must feed every input with the input's dtype; shapes may differ from `inputs` only in free dims.
 */
async function writeSamplesFile(
  dir: string,
  samples: readonly SampleFeeds[],
  inputs: readonly BenchInput[],
): Promise<{ path: string; items: SampleTensorRef[][] }> {
  if (samples.length === 0) throw new AppError('BAD_REQUEST', 'No samples were given to benchmark with.');
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const items = samples.map((sample, index) =>
    inputs.map((input): SampleTensorRef => {
      const tensor = sample[input.name];
      if (!tensor) {
        throw new AppError(
          'DATA_SHAPE_MISMATCH',
          `Sample ${index + 1} has no value for input '${input.name}'.`,
        );
      }
      const dtype = benchDtypeSchema.safeParse(tensor.type);
      if (!dtype.success || dtype.data !== input.dtype) {
        throw new AppError(
          'DATA_SHAPE_MISMATCH',
          `Sample ${index + 1}, input '${input.name}': ${tensor.type} given, the model takes ${input.dtype}.`,
        );
      }
      if (!ArrayBuffer.isView(tensor.data)) {
        throw new AppError('DATA_INVALID', `Sample ${index + 1}, input '${input.name}': no numeric data.`);
      }
      const view = tensor.data;
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      chunks.push(bytes);
      const ref = {
        name: input.name,
        dtype: input.dtype,
        dims: [...tensor.dims],
        offset,
        byteLength: bytes.byteLength,
      };
      offset += bytes.byteLength;
      return ref;
    }),
  );
  const path = join(dir, 'samples.bin');
  await writeFile(path, Buffer.concat(chunks));
  return { path, items };
}

export type RoundsModel = { id: string; modelPath: string; inputs: BenchInput[] };
type RoundsOptions = ChildJobOptions & {
  threads: number;
  optimizationLevel?: BenchSettings['optimizationLevel'];
  rounds: number;
  windowMs: number;
  minIterations?: number;
  warmupIterations?: number;
};

/**
 * Times several models in turns in one child process (round-robin windows), so all see the same background
 * load; per model, the lowest window median (the quietest stretch) and every window's latencies.
 */
export async function timeInRounds(
  models: readonly RoundsModel[],
  options: RoundsOptions,
): Promise<{ ortVersion: string; models: Map<string, { quietMs: number; windows: number[][] }> }> {
  const result = await runChildJob(
    {
      mode: 'rounds',
      modelPath: '',
      threads: options.threads,
      optimizationLevel: options.optimizationLevel ?? 'all',
      warmupIterations: options.warmupIterations ?? 3,
      stop: { kind: 'duration', ms: options.windowMs, minIterations: options.minIterations ?? 3 },
      maxIterations: 100_000,
      inputs: [],
      seed: 1,
      models: models.map((m) => ({ ...m, inputs: [...m.inputs] })),
      rounds: options.rounds,
    },
    options,
  );
  const out = new Map<string, { quietMs: number; windows: number[][] }>();
  for (const m of models) {
    const windows = result.windows?.[m.id] ?? [];
    const medians = windows
      .filter((w) => w.length > 0)
      .map((w) =>
        percentile(
          [...w].sort((a, b) => a - b),
          50,
        ),
      );
    if (medians.length === 0) throw new AppError('BENCH_FAILED', `No timing came back for ${m.id}.`);
    out.set(m.id, { quietMs: Math.min(...medians), windows });
  }
  return { ortVersion: result.ortVersion, models: out };
}
