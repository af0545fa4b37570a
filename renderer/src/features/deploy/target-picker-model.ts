import type { DeployPreview, DeviceRelease } from '../../../../shared/schemas/deploy';
import type { Device } from '../../../../shared/schemas/fleet';

/** Rows drawn at once: a fleet of thousands is picked by tag or "all", single devices through the filter. */
export const maxTargetRows = 300;

export type PlannedDevice = DeployPreview['devices'][number];

/** The Fleet page with one device open (its trust flow, its facts). */
export function fleetLink(deviceId: string): string {
  return `/fleet?device=${encodeURIComponent(deviceId)}`;
}

/** Devices whose name, host or a tag contains the filter's text (already trimmed and lower-cased). */
export function filterDevices(devices: readonly Device[], text: string): readonly Device[] {
  if (text === '') return devices;
  return devices.filter(
    (d) =>
      d.name.toLowerCase().includes(text) ||
      d.host.toLowerCase().includes(text) ||
      d.tags.some((t) => t.toLowerCase().includes(text)),
  );
}

/** What this deploy would do on a device: nothing until it is trusted, nothing where it already runs the variant. */
export function planWord(plan: PlannedDevice): 'untrusted' | 'unchanged' | 'deploy' {
  if (!plan.trusted) return 'untrusted';
  return plan.unchanged ? 'unchanged' : 'deploy';
}

/** The releases a device runs now, the model being deployed first: that is the line the deploy changes. */
export function runningFirst(
  releases: readonly DeviceRelease[],
  modelName: string | undefined,
): DeviceRelease[] {
  return releases
    .filter((r) => r.current !== null)
    .sort((a, b) => Number(b.modelName === modelName) - Number(a.modelName === modelName));
}
