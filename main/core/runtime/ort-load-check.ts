import { createRequire } from 'node:module';
import type { InferenceSession } from 'onnxruntime-node';
import { AppError } from '../../../shared/errors';

// Read from the package file: loading the native runtime costs most of a CLI command's start-up.
export const onnxRuntimeVersion: string = (
  createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }
).version;

/**
 * Loads the model into an ONNX Runtime session and releases it: the runtime every variant is benchmarked and
 * deployed with must accept it. Optimization is off so the check costs little and changes nothing.
 */
export async function assertLoadsInOrt(bytes: Uint8Array): Promise<void> {
  const ort = await import('onnxruntime-node');
  let session: InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'disabled',
      logSeverityLevel: 3,
      intraOpNumThreads: 1,
    });
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 500);
    throw new AppError(
      'MODEL_UNSUPPORTED',
      `ONNX Runtime ${onnxRuntimeVersion} cannot load this model: ${reason}. ` +
        'Check the model with onnx.checker, or re-export it with a supported opset.',
    );
  } finally {
    await session?.release();
  }
}
