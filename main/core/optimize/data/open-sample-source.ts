import { resolve } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import type { DataSpec } from '../../../../shared/schemas/optimize';
import { createDataStats } from './data-stats';
import { openImageSource } from './image-source';
import { statDataPath } from './listing';
import { modelInputs } from './model-inputs';
import { openNpySource } from './npy-source';
import { openRandomSource } from './random-source';
import type { DataSource } from './sample-source';

export type OpenSampleSourceOptions = {
  /** Use only the first N samples (in the source's sorted order). */
  maxSamples?: number;
  /** Checked between files while the data is validated and hashed. */
  signal?: AbortSignal;
};

/**
 * Opens calibration/evaluation data for `model`: every file is checked against the model's inputs (dtype and
 * shape, headers only) and hashed before this returns; sample data is read lazily, one sample at a time.
 * Layouts and rules: data/README.md.
 */
export async function openSampleSource(
  spec: DataSpec,
  model: ModelProto,
  opts: OpenSampleSourceOptions = {},
): Promise<DataSource> {
  const maxSamples = opts.maxSamples ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(maxSamples) || maxSamples < 1) {
    throw new AppError('BAD_REQUEST', `maxSamples must be a positive integer, not ${maxSamples}.`);
  }
  const inputs = modelInputs(model);
  const stats = createDataStats();
  if (spec.kind === 'random') {
    return openRandomSource(inputs, spec.seed ?? 1, Math.min(spec.count ?? 32, maxSamples), stats);
  }
  const path = resolve(spec.path);
  const kind = await statDataPath(path);
  const ctx = { inputs, stats, maxSamples, signal: opts.signal };
  return spec.kind === 'images'
    ? openImageSource(path, kind, spec.preprocess, ctx)
    : openNpySource(path, kind, ctx);
}
