// Test helpers for the training engine: run a model in the engine and in ONNX Runtime, compare outputs.
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { compileGraph } from './onnx-graph';
import { tf } from './tf';

type FloatOutputs = Record<string, { dims: number[]; data: Float32Array }>;

export async function runOrtFloat(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<FloatOutputs> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(out).map(([k, t]) => [
        k,
        { dims: [...t.dims], data: Float32Array.from(t.data as Float32Array) },
      ]),
    );
  } finally {
    await session.release();
  }
}

export function runEngine(model: ModelProto, feeds: Record<string, ort.Tensor>): FloatOutputs {
  const graph = compileGraph(model);
  try {
    return tf.tidy(() => {
      const inputs = Object.fromEntries(
        Object.entries(feeds).map(([k, t]) => [k, tf.tensor(t.data as Float32Array, [...t.dims], 'float32')]),
      );
      const out = graph.forward(inputs);
      return Object.fromEntries(
        Object.entries(out).map(([k, t]) => [
          k,
          { dims: [...t.shape], data: Float32Array.from(t.dataSync()) },
        ]),
      );
    });
  } finally {
    graph.dispose();
  }
}

/** max |a − b| over max |b| (at least 1e-3, so near-zero outputs do not blow the ratio up). */
export function maxRelativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let err = 0;
  let scale = 1e-3;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return Number.isNaN(err) ? Infinity : err / scale;
}
