// Benchmarks: local runner (child processes), hardware profiles, estimator, on-device runs, stored results.
export {
  BenchService,
  defaultStop,
  defaultWarmup,
  type BenchOptions,
  type BenchServiceOptions,
  type DeviceBenchOptions,
  type DeviceBenchTarget,
  type RunSettings,
} from './bench-service';
export { BenchRepository, settingsKey } from './store/bench-repository';
export { ProfileRepository } from './profiles/profile-repository';
export { builtinProfiles, builtinProfile } from './profiles/catalog';
export { parseProfileFile, formatIssuePath } from './profiles/profile-file';
export { thisMachineId, thisMachineProfile } from './profiles/this-machine';
export { calibrateThisMachine, type CalibrationOptions } from './profiles/calibration';
export { resolveInputs, parseDimArg, parseShapeArg, type DimOverrides } from './runner/input-plan';
export {
  benchmarkLocal,
  timeInRounds,
  type LocalBenchOptions,
  type SampleFeeds,
} from './runner/local-runner';
export { latencyStats, percentile } from './runner/latency-stats';
export { analyzeModel, type ModelAnalysis } from './estimator/analyze-model';
export { costModel, estimateOn, estimatorErrorBand, type CostedModel } from './estimator/estimate';
export {
  runRemoteBenchmark,
  chooseRuntime,
  type RemoteBenchOptions,
  type RemoteRuntime,
} from './remote/remote-bench';
