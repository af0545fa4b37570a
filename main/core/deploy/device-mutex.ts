import { deviceBusy, type DeviceHolder } from './deploy-repository';

/**
 * In-process: one deployment per device at a time, whatever database or service instance started it (two
 * DeployService objects in one process, a rollout whose database rows are already finished but whose
 * device lock is still being released). The database check covers other processes on the same data
 * directory, the device lock everything else.
 */
const held = new Map<string, DeviceHolder>();

/** Claims every device or none; throws DEVICE_BUSY naming the holder. Returns the release function. */
export function claimDevices(holders: readonly DeviceHolder[]): () => void {
  const busy = holders.flatMap((h) => {
    const other = held.get(h.deviceId);
    return other === undefined ? [] : [other];
  });
  if (busy.length > 0) throw deviceBusy(busy);
  for (const h of holders) held.set(h.deviceId, h);
  return () => {
    for (const h of holders) {
      if (held.get(h.deviceId)?.deploymentId === h.deploymentId) held.delete(h.deviceId);
    }
  };
}
