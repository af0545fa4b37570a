import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';
import { runChildJob } from '../bench/runner/local-runner';

// Read from the package file: loading the native runtime costs most of a CLI command's start-up.
export const onnxRuntimeVersion: string = (
  createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }
).version;

/** A model that takes longer than this only to load (optimizations off) is refused. */
const loadTimeoutMs = 120_000;

/**
 * Loads the model into an ONNX Runtime session and releases it: the runtime every variant is benchmarked and
 * deployed with must accept it. The model is untrusted, so it is loaded in a child process (the benchmark
 * runner, mode `optimize` without an output file: load and stop): a crash, a hang or a huge allocation inside
 * ONNX Runtime ends that child, never the app. Optimization is off so the check costs little.
 */
export async function assertLoadsInOrt(
  bytes: Uint8Array,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  try {
    await runChildJob(
      {
        mode: 'optimize',
        modelPath: '',
        threads: 1,
        optimizationLevel: 'disabled',
        warmupIterations: 0,
        stop: { kind: 'iterations', count: 1 },
        maxIterations: 1,
        inputs: [],
        seed: 1,
      },
      {
        label: 'the model',
        timeoutMs: loadTimeoutMs,
        signal: options.signal,
      },
      async (workDir) => {
        const modelPath = join(workDir, 'model.onnx');
        await writeFile(modelPath, bytes);
        return { modelPath };
      },
    );
  } catch (err) {
    if (
      !(err instanceof AppError) ||
      !['BENCH_FAILED', 'BENCH_TIMEOUT', 'BENCH_OUT_OF_MEMORY'].includes(err.code)
    ) {
      throw err;
    }
    const details = err.details as { ortMessage?: unknown } | undefined;
    const said = typeof details?.ortMessage === 'string' ? details.ortMessage : err.message;
    const reason = (said.split('\n')[0] ?? '').slice(0, 500);
    throw new AppError(
      'MODEL_UNSUPPORTED',
      `ONNX Runtime ${onnxRuntimeVersion} cannot load this model: ${reason}. ` +
        'Check the model with onnx.checker, or re-export it with a supported opset.',
    );
  }
}
