import type { Params } from '../../../../shared/contract';
import type { DeployPreview } from '../../../../shared/schemas/deploy';
import type { Device } from '../../../../shared/schemas/fleet';

/**
 * What the user picked as targets. Tags and `all` go to main as such (`tag:T`, `all`), so the deployment
 * records the intent ("every camera"), not just the names it matched today.
 */
export type TargetSelection = {
  all: boolean;
  tags: readonly string[];
  /** Device names. */
  devices: readonly string[];
};

export type DeployForm = {
  modelId: string | null;
  targets: TargetSelection;
  concurrency: number;
  canary: number;
  /** null: never stop however many fail. */
  maxFailPercent: number | null;
};

export const optionLimits = {
  concurrency: { min: 1, max: 256, default: 8 },
  canary: { min: 0, max: 10_000, default: 0 },
  maxFailPercent: { min: 0, max: 100 },
} as const;

export function defaultDeployForm(): DeployForm {
  return {
    modelId: null,
    targets: { all: false, tags: [], devices: [] },
    concurrency: optionLimits.concurrency.default,
    canary: optionLimits.canary.default,
    maxFailPercent: null,
  };
}

/** Target strings as the contract takes them: `all`, or `tag:T` and device names. */
export function targetsOf(selection: TargetSelection): string[] {
  if (selection.all) return ['all'];
  return [...selection.tags.map((t) => `tag:${t}`), ...selection.devices];
}

export function hasTargets(selection: TargetSelection): boolean {
  return selection.all || selection.tags.length > 0 || selection.devices.length > 0;
}

/** The devices the selection covers, in the inventory's order (main resolves the same way; preview is the truth). */
export function coveredDevices(selection: TargetSelection, devices: readonly Device[]): Device[] {
  if (selection.all) return [...devices];
  const tags = new Set(selection.tags);
  const names = new Set(selection.devices.map((n) => n.toLowerCase()));
  return devices.filter((d) => names.has(d.name.toLowerCase()) || d.tags.some((t) => tags.has(t)));
}

/** Why a device is ticked: by name, or only through a tag / `all` (then its own box cannot untick it). */
export function coverage(
  selection: TargetSelection,
  device: Device,
): { byName: boolean; byGroup: string | null } {
  const byName = selection.devices.some((n) => n.toLowerCase() === device.name.toLowerCase());
  if (selection.all) return { byName, byGroup: 'all devices' };
  const tag = device.tags.find((t) => selection.tags.includes(t));
  return { byName, byGroup: tag === undefined ? null : `tag ${tag}` };
}

export function toggleIn(list: readonly string[], value: string, on: boolean): string[] {
  const rest = list.filter((v) => v !== value);
  return on ? [...rest, value] : rest;
}

/** Every tag in the inventory with how many devices carry it, most used first. */
export function tagCounts(devices: readonly Device[]): Array<{ tag: string; count: number }> {
  const counts = new Map<string, number>();
  for (const device of devices) for (const tag of device.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
}

function deployOptionsOf(form: DeployForm) {
  return {
    concurrency: form.concurrency,
    canary: form.canary,
    maxFailPercent: form.maxFailPercent,
  } satisfies NonNullable<Params<'deploy.run'>['options']>;
}

export function buildDeployParams(form: DeployForm & { modelId: string }): Params<'deploy.run'> {
  return { model: form.modelId, targets: targetsOf(form.targets), options: deployOptionsOf(form) };
}

/** An option value that the contract would refuse, in words; null when fine. */
export function optionError(form: DeployForm): string | null {
  const { concurrency, canary, maxFailPercent } = optionLimits;
  if (
    !Number.isInteger(form.concurrency) ||
    form.concurrency < concurrency.min ||
    form.concurrency > concurrency.max
  )
    return `Concurrency is a whole number from ${concurrency.min} to ${concurrency.max}.`;
  if (!Number.isInteger(form.canary) || form.canary < canary.min || form.canary > canary.max)
    return `Canary is a whole number of devices from ${canary.min} to ${canary.max.toLocaleString('en-US')}.`;
  if (
    form.maxFailPercent !== null &&
    (!Number.isFinite(form.maxFailPercent) ||
      form.maxFailPercent < maxFailPercent.min ||
      form.maxFailPercent > maxFailPercent.max)
  )
    return 'Max failed is a percentage from 0 to 100, or empty to never stop.';
  return null;
}

export type PreflightSummary = {
  devices: number;
  /** Trusted and not already running this file: these receive it. */
  willDeploy: DeployPreview['devices'];
  unchanged: DeployPreview['devices'];
  /** Among `willDeploy`: they run this release, but its file was modified on the device. */
  repair: DeployPreview['devices'];
  untrusted: DeployPreview['devices'];
  /** Devices that would receive the file and have notes (low disk at the last probe, never probed …). */
  withNotes: DeployPreview['devices'];
  bytesToSend: number;
};

export function summarizePreview(preview: DeployPreview): PreflightSummary {
  const willDeploy = preview.devices.filter((d) => d.trusted && !d.unchanged);
  return {
    devices: preview.devices.length,
    willDeploy,
    unchanged: preview.devices.filter((d) => d.unchanged),
    repair: willDeploy.filter((d) => d.repair),
    untrusted: preview.devices.filter((d) => !d.trusted),
    // Untrusted and unchanged devices have their own lines; nothing is sent to them either way.
    withNotes: preview.devices.filter((d) => d.trusted && !d.unchanged && d.notes.length > 0),
    bytesToSend: willDeploy.length * preview.sizeBytes,
  };
}

/** Why the Deploy button is off, in words; null when a click would start the rollout. */
export function deployBlocker(
  form: DeployForm,
  state: {
    modelExists: boolean;
    preview: DeployPreview | undefined;
    previewPending: boolean;
    previewFailed: boolean;
  },
): string | null {
  if (form.modelId === null) return 'Pick the variant to deploy.';
  if (!state.modelExists) return 'That model is no longer in the library: pick another.';
  if (!hasTargets(form.targets)) return 'Pick the devices (or a tag) to deploy to.';
  const bad = optionError(form);
  if (bad !== null) return bad;
  if (state.previewFailed) return 'The preflight check failed: see the message above.';
  if (state.previewPending || state.preview === undefined) return 'Checking the targets…';
  if (state.preview.devices.length === 0) return 'No device matches these targets.';
  if (state.preview.devices.every((d) => !d.trusted))
    return 'None of these devices has a trusted host key: trust them on the Fleet page first.';
  return null;
}
