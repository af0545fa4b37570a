import type { DeviceRelease } from '../../../../shared/schemas/deploy';
import type { RollbackOp, RollbackRequest } from './history-ops';

/** "Roll back" on a release row: back to the device's previous release, named when it is recorded. */
export function rollbackRequestFor(release: DeviceRelease): RollbackRequest {
  return {
    deviceId: release.deviceId,
    deviceName: release.deviceName,
    modelName: release.modelName,
    toRelease: null,
    previousRelease: release.previous?.release ?? null,
    fromRelease: release.current?.release ?? null,
  };
}

/** The one sentence over a rollback's rows: running, did not finish, or what the device runs now. */
export function rollbackHeadline(op: Exclude<RollbackOp, { status: 'idle' }>): string {
  const { request } = op;
  if (op.status === 'running') return `Rolling back ${request.deviceName} (${request.modelName})…`;
  if (op.status === 'failed') return `Rollback of ${request.deviceName} did not finish`;
  const device = op.report.devices[0];
  return device?.status === 'deployed'
    ? `Rolled back ${request.deviceName}: ${request.modelName} now runs ${device.releaseAfter ?? 'its previous release'}.`
    : `Rollback of ${request.deviceName}: ${device?.status ?? 'no result'}.`;
}
