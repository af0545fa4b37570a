import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { valueShapeFromType } from '../../main/core/onnx/shape-inference';
import { createRng, randomFloats } from './prng';

export type Feeds = Record<string, ort.Tensor>;

/**
 * Random float32 inputs for every graph input that is not an initializer; symbolic or unknown dims
 * become `symbolicSize`. Same seed, same values.
 */
export function randomFeeds(model: ModelProto, seed = 7, symbolicSize = 3): Feeds {
  const rng = createRng(seed);
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const feeds: Feeds = {};
  for (const vi of graph.input) {
    if (initializers.has(vi.name)) continue;
    const { elemType, shape } = valueShapeFromType(vi.type);
    if (elemType !== DT.FLOAT || !shape)
      throw new Error(`randomFeeds: input ${vi.name} is not a float32 tensor`);
    const dims = shape.map((d) => (typeof d === 'number' ? d : symbolicSize));
    const count = dims.reduce((n, d) => n * d, 1);
    feeds[vi.name] = new ort.Tensor('float32', randomFloats(rng, count), dims);
  }
  return feeds;
}

/** Runs the model (bytes or a path) once in ONNX Runtime and returns every output's raw bytes and dims. */
export async function runOrt(
  model: Uint8Array | string,
  feeds: Feeds,
): Promise<Record<string, { dims: readonly number[]; bytes: Uint8Array }>> {
  const session =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model, { logSeverityLevel: 3 })
      : await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  try {
    const results = await session.run(feeds);
    const out: Record<string, { dims: readonly number[]; bytes: Uint8Array }> = {};
    for (const [name, t] of Object.entries(results)) {
      const data = t.data as ArrayBufferView;
      out[name] = {
        dims: t.dims,
        bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
      };
    }
    return out;
  } finally {
    await session.release();
  }
}
