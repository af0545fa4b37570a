// Calibration and evaluation data: .npy folders/files, image folders, or seeded random data (data/README.md).
export { openSampleSource, type OpenSampleSourceOptions } from './open-sample-source';
export {
  splitForEvaluation,
  isDataSource,
  type DataSource,
  type DataLayout,
  type EvaluationSplit,
} from './sample-source';
export type { DataStats } from './data-stats';
export { parseNpyHeader, descrFor, type NpyHeader, type NpyElementType } from './npy-format';
export { readNpyHeader, readNpyElements, type NpyFile } from './npy-file';
export { createSeededRng, mixSeed, fillNormal, type Rng } from './seeded-random';
export { modelInputs, type InputSpec } from './model-inputs';
