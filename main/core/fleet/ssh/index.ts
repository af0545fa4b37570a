export { connect, scanHostKey, SshConnection, type ConnectOptions, type ScanOptions } from './connection';
export type { ExecCommand, ExecOptions, ExecResult } from './exec';
export {
  assertFingerprint,
  fingerprintSha256,
  normalizeFingerprint,
  parsePublicKey,
  type HostKeyInfo,
} from './host-key';
export { ConnectionPool, withPool } from './pool';
export {
  defaultFleetConcurrency,
  runBounded,
  type BoundedOutcome,
  type RunBoundedOptions,
} from './run-bounded';
export type { UploadOptions, UploadResult } from './sftp-transfer';
export { command, quote, raw, sh } from './shell-quote';
export { describeTarget, type SshAuth, type SshTarget, type SshTimeouts } from './ssh-target';
