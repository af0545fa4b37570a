import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import type { Sample, SampleSource } from '../types';

/**
 * A SampleSource over samples already in memory (tests, benchmarks, in-process callers). The sha256 covers
 * every input's name, dims and bytes, in input-name order.
 */
export function memorySampleSource(
  samples: readonly Sample[],
  opts: { description?: string; random?: boolean } = {},
): SampleSource {
  const hash = createHash('sha256');
  for (const sample of samples) {
    for (const name of Object.keys(sample).sort()) {
      const t = sample[name]!;
      const data = t.data as ArrayBufferView;
      hash.update(`${name}:${t.type}:${t.dims.join('x')};`);
      hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  return {
    description: opts.description ?? `${samples.length} in-memory samples`,
    count: samples.length,
    sha256: hash.digest('hex'),
    random: opts.random ?? false,
    labels: null,
    async *read(range) {
      const start = range?.start ?? 0;
      const end = range?.end ?? samples.length;
      for (let i = start; i < end; i++) yield samples[i]!;
    },
  };
}

/** `count` samples of one float32 input filled by `fill(sampleIndex, elementIndex)`. */
export function float32Samples(
  input: string,
  dims: readonly number[],
  count: number,
  fill: (sample: number, index: number) => number,
): Sample[] {
  const size = dims.reduce((a, b) => a * b, 1);
  return Array.from({ length: count }, (_, s) => ({
    [input]: new ort.Tensor(
      'float32',
      Float32Array.from({ length: size }, (_, i) => fill(s, i)),
      [...dims],
    ),
  }));
}
