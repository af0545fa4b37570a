import type { MantineColor } from '@mantine/core';
import type {
  DeploymentStatus,
  DeployStep,
  DeviceDeployStatus,
  DriftState,
  ReleaseRef,
} from '../../../../shared/schemas/deploy';
import type { Model } from '../../../../shared/schemas/models';

/** Words and colours of the deploy's states; the word carries the meaning, the colour only helps. */
export const deviceStatusLabels: Record<DeviceDeployStatus, string> = {
  pending: 'waiting',
  running: 'running',
  deployed: 'ok',
  unchanged: 'unchanged',
  rolled_back: 'rolled back',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
  interrupted: 'interrupted',
};

export const deviceStatusColors: Record<DeviceDeployStatus, MantineColor> = {
  pending: 'gray',
  running: 'blue',
  deployed: 'teal',
  unchanged: 'gray',
  rolled_back: 'orange',
  failed: 'red',
  cancelled: 'gray',
  skipped: 'gray',
  interrupted: 'yellow',
};

export const deploymentStatusLabels: Record<DeploymentStatus, string> = {
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  stopped: 'stopped',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

export const deploymentStatusColors: Record<DeploymentStatus, MantineColor> = {
  running: 'blue',
  succeeded: 'teal',
  failed: 'red',
  stopped: 'orange',
  cancelled: 'gray',
  interrupted: 'yellow',
};

export const stepLabels: Record<DeployStep, string> = {
  connect: 'connect',
  preflight: 'preflight',
  upload: 'upload',
  verify: 'verify sha256',
  install: 'install',
  engine: 'build TensorRT engine',
  switch: 'switch',
  restart: 'restart',
  health: 'health check',
  rollback: 'switch back',
  prune: 'prune old releases',
  done: 'done',
};

export const driftLabels: Record<DriftState, string> = {
  in_sync: 'in sync',
  different_version: 'different version',
  modified: 'modified',
  missing: 'missing',
  unknown: 'unknown',
};

export const driftColors: Record<DriftState, MantineColor> = {
  in_sync: 'teal',
  different_version: 'yellow',
  modified: 'red',
  missing: 'orange',
  unknown: 'grape',
};

/** What a drift state means for the user, shown under the table. */
export const driftHelp: Record<DriftState, string> = {
  in_sync: 'runs exactly what EdgeFleet recorded',
  different_version: 'runs another EdgeFleet release than recorded',
  modified: 'the active file was changed on the device',
  missing: 'the recorded release or its file is gone',
  unknown: 'runs something EdgeFleet did not deploy',
};

/** A release as people read it: the variant's name when the library knows it, and the release directory. */
export function releaseText(ref: ReleaseRef | null, modelsById: ReadonlyMap<string, Model>): string {
  if (ref === null) return '—';
  const name = ref.variantId === null ? undefined : modelsById.get(ref.variantId)?.name;
  return name === undefined ? ref.release : `${name} (${ref.release})`;
}

/** 1.2 s, 340 ms, 2 min 5 s. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const min = Math.floor(s / 60);
  return `${min} min ${Math.round(s - min * 60)} s`;
}
