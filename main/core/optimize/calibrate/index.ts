// Activation-range calibration for static quantization: streaming collectors and the ORT-driven run.
export { calibrateTensors, type CalibrationOptions, type CalibrationResult } from './run-calibration';
export { createCollector, minMaxCollector, type CollectedRanges, type RangeCollector } from './collectors';
export { StreamingHistogram, type HistogramMode } from './histogram';
export { entropyRange, percentileRange, bestEntropyHalfWidth, type TensorRange } from './thresholds';
