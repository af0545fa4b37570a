import * as ort from 'onnxruntime-node';
import { AppError } from '../../../../shared/errors';
import {
  float16BitsToNumber as halfBitsToFloat,
  float32ToFloat16Bits as toHalfBits,
} from '../passes/fp16-bits';
import type { Sample } from '../types';

type SessionLevel = 'all' | 'basic' | 'disabled';

/**
 * One thread per session: timings on a shared machine are steadier, the parent and variant compete for nothing,
 * and the ratio is what a single-core edge device sees. 'all' is ORT's default (what deploys run); 'disabled'
 * keeps every tensor name, for layer-by-layer comparison.
 */
export async function createSession(
  bytes: Uint8Array,
  role: string,
  level: SessionLevel,
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: level,
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      logSeverityLevel: 3,
    });
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 500);
    throw new AppError(
      'MODEL_UNSUPPORTED',
      `ONNX Runtime cannot load the ${role} model for the fidelity check: ${reason}. Check it with onnx.checker.`,
    );
  }
}

export async function runSession(
  session: ort.InferenceSession,
  feeds: Sample,
  role: string,
  fetches?: readonly string[],
): Promise<ort.InferenceSession.ReturnType> {
  try {
    return fetches ? await session.run(feeds, fetches) : await session.run(feeds);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 500);
    throw new AppError(
      'MODEL_UNSUPPORTED',
      `ONNX Runtime failed to run the ${role} model on a sample: ${reason}.`,
    );
  }
}

/**
 * The sample as this session takes it: only its inputs, float32 ↔ float16 converted where a variant changed
 * its input types (fp16 without kept I/O types).
 */
export function feedsFor(session: ort.InferenceSession, sample: Sample, role: string): Sample {
  const feeds: Sample = {};
  for (const meta of session.inputMetadata) {
    const t = sample[meta.name];
    if (!t) {
      throw new AppError(
        'INTERNAL',
        `The ${role} model has an input '${meta.name}' the samples do not feed.`,
      );
    }
    if (!meta.isTensor || meta.type === t.type) {
      feeds[meta.name] = t;
    } else if (meta.type === 'float16' && t.type === 'float32') {
      const src = t.data as Float32Array;
      const bits = new Uint16Array(src.length);
      for (let i = 0; i < src.length; i++) bits[i] = toHalfBits(src[i]!);
      feeds[meta.name] = new ort.Tensor('float16', bits, t.dims);
    } else if (meta.type === 'float32' && t.type === 'float16') {
      const src = t.data as Uint16Array;
      feeds[meta.name] = new ort.Tensor('float32', Float32Array.from(src, halfBitsToFloat), t.dims);
    } else {
      throw new AppError(
        'INTERNAL',
        `The ${role} model's input '${meta.name}' is ${meta.type} but the sample is ${t.type}.`,
      );
    }
  }
  return feeds;
}

export async function releaseAll(sessions: (ort.InferenceSession | undefined)[]): Promise<void> {
  await Promise.all(sessions.map((s) => s?.release().catch(() => undefined)));
}
