// Test models with deterministic weights, shared by the test suites of every module.
// ONNX Runtime helpers live in ./ort (imported separately: they load the native addon).
export { buildSmallCnn } from './small-cnn';
export { buildMlp } from './mlp';
export { buildIfModel } from './if-model';
export { buildSymbolicBatchModel } from './symbolic-batch';
export {
  saveModelWithExternalData,
  writeSmallCnnWithExternalData,
  type ExternalDataFiles,
  type ExternalDataOptions,
} from './external-data';
export { writeTestModel } from './write-test-model';
export { ocrModelPath } from './ocr-models';
export { createRng, gaussian, randomFloats, randomRange, type Rng } from './prng';
export {
  listTestdataModels,
  testdataModel,
  ONNX_TESTDATA_DIR,
  ONNX_TESTDATA_SUITES,
  DEBIAN_PYTHON,
} from './onnx-testdata';
