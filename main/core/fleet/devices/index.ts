export { DeviceRepository, type DeviceFields } from './device-repository';
export { applyPatch, changedFields, fieldsOf, parseNewDevice, type ParsedDevice } from './device-fields';
export { formatEndpoint, parseJumpSpec, type JumpEndpoint } from './jump-spec';
export { MemorySecretStore, type SecretRef, type SecretStore } from './secret-store';
export {
  adhocJumpTarget,
  authFor,
  expandHome,
  resolveJump,
  sshTargetFor,
  type ResolvedJump,
  type TargetContext,
} from './device-ssh-target';
export { resolveTargets } from './resolve-target-names';
