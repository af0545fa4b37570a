import * as ort from 'onnxruntime-node';
import { AppError } from '../../../../shared/errors';
import type { Sample } from '../types';
import type { DataStats } from './data-stats';
import { npyTypeOf, type InputSpec } from './model-inputs';
import { typedArrayOf } from './npy-file';
import { createDataSource, type DataSource } from './sample-source';
import { float32ToFloat16Bits as toHalfBits } from '../passes/fp16-bits';
import { assertUsableSampleDims } from '../../onnx/input-dims';
import { createSeededRng, fillNormal, mixSeed } from './seeded-random';

const itemSize: Record<string, number> = {
  float16: 2,
  float32: 4,
  float64: 8,
  int8: 1,
  uint8: 1,
  bool: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
};

/**
 * Made-up samples, only when asked for: float inputs ~ N(0, 1), integer and bool inputs 0, symbolic dims 1.
 * Sample i depends only on (seed, i), so any range reads the same values.
 */
export function openRandomSource(
  inputs: readonly InputSpec[],
  seed: number,
  count: number,
  stats: DataStats,
): DataSource {
  const shapes = inputs.map((input) => {
    if (input.dims === null) {
      throw new AppError(
        'MODEL_UNSUPPORTED',
        `Input '${input.name}' declares no shape, so random data cannot be made for it: give real data instead.`,
      );
    }
    const dims = input.dims.map((d) => (typeof d === 'number' ? d : 1));
    assertUsableSampleDims(
      input.name,
      dims,
      'Give real samples instead of random data (--calibration with a .npy file or a folder of images), or re-export the model with the real input size.',
    );
    return { input, type: npyTypeOf(input), dims, size: dims.reduce((a, b) => a * b, 1) };
  });
  const shapeKey = shapes.map((s) => `${s.input.name}=${s.type}[${s.dims.join(',')}]`).join(';');
  const load = async (index: number): Promise<Sample> => {
    const rng = createSeededRng(mixSeed(seed, index));
    const sample: Sample = {};
    for (const s of shapes) {
      const data = typedArrayOf(s.type, new ArrayBuffer(s.size * itemSize[s.type]!), s.size);
      if (data instanceof Float32Array || data instanceof Float64Array) fillNormal(rng, data);
      else if (s.type === 'float16') {
        const values = new Float32Array(s.size);
        fillNormal(rng, values);
        for (let i = 0; i < values.length; i++) (data as Uint16Array)[i] = toHalfBits(values[i]!);
      }
      sample[s.input.name] = new ort.Tensor(s.type, data, s.dims);
    }
    return sample;
  };
  return createDataSource({
    description: `${count} random samples (seed ${seed})`,
    layout: 'random',
    load,
    count,
    digests: { kind: 'random', key: `random:${seed}:${shapeKey}` },
    labels: null,
    warnings: [],
    stats,
    random: true,
  });
}
