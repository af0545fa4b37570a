// The deploy module's surface: the one service the app's callers use, and the name-free runner that the
// deploy tests and benchmarks drive with sshd fixtures. Everything else is internal to main/core/deploy.
export {
  DeployService,
  type ConnectOptions,
  type DeployServiceDeps,
  type PreparedDeploy,
  type PreparedRollback,
  type RollbackInput,
} from './deploy-service';
export { DeployRunner, type DeployRunnerOptions, type RunControl } from './deploy-runner';
export type { DeployArtifact, DeployTarget } from './types';
