export { DeployRepository } from './deploy-repository';
export {
  DeployRunner,
  assertLocalArtifact,
  sha256File,
  type DeployRunnerOptions,
  type RunControl,
} from './deploy-runner';
export type { DeviceOutcome, DeviceProgressEvent, DeviceRecorder, ReleaseChange } from './device-run';
export { checkDrift, classify, readDeviceState, type DriftOptions, type ObservedModel } from './drift';
export {
  DeployService,
  type ConnectOptions,
  type DeployServiceDeps,
  type PreparedDeploy,
  type PreparedRollback,
  type RollbackInput,
} from './deploy-service';
export { executeDeployDevice, type DeployTestHooks, type ExecutorContext } from './executor';
export {
  assertDeployRoot,
  assertModelDirName,
  releaseFromLink,
  releaseName,
  remotePaths,
  versionFromImportedAt,
  type RemotePaths,
} from './layout';
export {
  planDeploy,
  planForDisplay,
  type CommandId,
  type DeployPlan,
  type DevicePlan,
  type PlanContext,
  type PlannedCommand,
  type PlannedStep,
  type PlannedUpload,
} from './plan';
export { executeRollbackDevice, planRollback, type RollbackPlan, type RollbackRequest } from './rollback';
export { runRollout, type RolloutResult } from './rollout';
export { RolloutProgress } from './rollout-progress';
export { markInterruptedDeployments, type InterruptOptions } from './tracking';
export type { DeployArtifact, DeployTarget } from './types';
