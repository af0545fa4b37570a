import type { AppErrorData } from '../../../../shared/errors';
import {
  deployProgressSchema,
  isFinalDeviceStatus as isFinished,
  type DeploymentReport,
  type DeployProgress,
  type DeployStep,
  type DeviceDeployStatus,
} from '../../../../shared/schemas/deploy';
import type { JobProgress } from '../../../../shared/schemas/jobs';

/** One device's line in a live rollout: built from preview, moved by progress events, settled by the report. */
export type RolloutRow = {
  deviceId: string;
  deviceName: string;
  status: DeviceDeployStatus;
  step: DeployStep | null;
  bytesSent: number;
  bytesTotal: number;
  /** Upload speed of the last progress event; 0 once the upload is over. */
  bytesPerSec: number;
  message: string | null;
  error: AppErrorData | null;
  durationMs: number | null;
};

type RolloutCounts = {
  total: number;
  /** Finished, whatever the outcome. */
  finished: number;
  deployed: number;
  unchanged: number;
  failed: number;
  rolledBack: number;
  cancelled: number;
  skipped: number;
  interrupted: number;
  running: number;
  pending: number;
};

export { isFinished };

export function pendingRows(
  devices: ReadonlyArray<{ deviceId: string; deviceName: string }>,
  bytesTotal: number,
): RolloutRow[] {
  return devices.map((d) => ({
    deviceId: d.deviceId,
    deviceName: d.deviceName,
    status: 'pending',
    step: null,
    bytesSent: 0,
    bytesTotal,
    bytesPerSec: 0,
    message: null,
    error: null,
    durationMs: null,
  }));
}

/** The deploy progress a job progress event carries in `detail`; null for anything else. */
export function deployProgressOf(progress: JobProgress): DeployProgress | null {
  if (progress.detail === undefined) return null;
  const parsed = deployProgressSchema.safeParse(progress.detail);
  return parsed.success ? parsed.data : null;
}

/**
 * Applies progress events in order. A device not known yet (the preview was stale) is appended; a finished
 * device never goes back to running (events of one device may be throttled, never reordered, but be safe).
 */
export function applyProgress(rows: readonly RolloutRow[], events: readonly DeployProgress[]): RolloutRow[] {
  if (events.length === 0) return [...rows];
  const out = [...rows];
  const index = new Map(out.map((r, i) => [r.deviceId, i]));
  for (const e of events) {
    const at = index.get(e.deviceId);
    const before = at === undefined ? undefined : out[at];
    if (before && isFinished(before.status) && !isFinished(e.status)) continue;
    const row: RolloutRow = {
      deviceId: e.deviceId,
      deviceName: e.deviceName,
      status: e.status,
      step: e.step,
      bytesSent: e.bytesSent,
      bytesTotal: e.bytesTotal,
      bytesPerSec: e.step === 'upload' && !isFinished(e.status) ? e.bytesPerSec : 0,
      // A step's message belongs to that step ("Uploading …" must not linger into the health check).
      message: e.message ?? (before?.step === e.step ? before.message : null),
      error: before?.error ?? null,
      durationMs: before?.durationMs ?? null,
    };
    if (at === undefined) {
      index.set(e.deviceId, out.length);
      out.push(row);
    } else {
      out[at] = row;
    }
  }
  return out;
}

/** The recorded outcome per device, in rollout order. */
export function rowsFromReport(report: DeploymentReport): RolloutRow[] {
  return [...report.devices]
    .sort((a, b) => a.position - b.position)
    .map((d) => ({
      deviceId: d.deviceId,
      deviceName: d.deviceName,
      status: d.status,
      step: d.step,
      bytesSent: d.bytesSent,
      bytesTotal: d.bytesTotal,
      bytesPerSec: 0,
      message: d.log.at(-1)?.message ?? null,
      error: d.error,
      durationMs: d.durationMs,
    }));
}

export function countRows(rows: readonly RolloutRow[]): RolloutCounts {
  const counts: RolloutCounts = {
    total: rows.length,
    finished: 0,
    deployed: 0,
    unchanged: 0,
    failed: 0,
    rolledBack: 0,
    cancelled: 0,
    skipped: 0,
    interrupted: 0,
    running: 0,
    pending: 0,
  };
  for (const row of rows) {
    if (isFinished(row.status)) counts.finished++;
    switch (row.status) {
      case 'deployed':
        counts.deployed++;
        break;
      case 'unchanged':
        counts.unchanged++;
        break;
      case 'failed':
        counts.failed++;
        break;
      case 'rolled_back':
        counts.rolledBack++;
        break;
      case 'cancelled':
        counts.cancelled++;
        break;
      case 'skipped':
        counts.skipped++;
        break;
      case 'interrupted':
        counts.interrupted++;
        break;
      case 'running':
        counts.running++;
        break;
      case 'pending':
        counts.pending++;
        break;
    }
  }
  return counts;
}

/** "2 ok · 1 unchanged · 1 failed" — zero counts left out ("0 ok" when all are zero). */
export function countsLine(counts: RolloutCounts): string {
  const parts: Array<[number, string]> = [
    [counts.deployed, 'ok'],
    [counts.unchanged, 'unchanged'],
    [counts.rolledBack, 'rolled back'],
    [counts.failed, 'failed'],
    [counts.cancelled, 'cancelled'],
    [counts.skipped, 'skipped'],
    [counts.interrupted, 'interrupted'],
    [counts.running, 'running'],
    [counts.pending, 'waiting'],
  ];
  const shown = parts.filter(([n]) => n > 0);
  if (shown.length === 0) return '0 ok';
  return shown.map(([n, word]) => `${n.toLocaleString('en-US')} ${word}`).join(' · ');
}

type ProgressSection = {
  key: 'ok' | 'unchanged' | 'failed' | 'stopped';
  /** Share of all devices, in percent. */
  value: number;
  count: number;
  color: 'teal' | 'gray' | 'red' | 'yellow';
  label: string;
};

/**
 * The overall bar split by outcome, so a rollout where most devices failed never looks green: failed and
 * rolled back in red, cancelled / skipped / interrupted in yellow, unchanged in grey, deployed in teal.
 * Devices still running or waiting are the unfilled rest.
 */
export function progressSections(counts: RolloutCounts): ProgressSection[] {
  if (counts.total === 0) return [];
  const share = (n: number) => (n / counts.total) * 100;
  const sections: Array<Omit<ProgressSection, 'value'>> = [
    { key: 'ok', count: counts.deployed, color: 'teal', label: 'ok' },
    { key: 'unchanged', count: counts.unchanged, color: 'gray', label: 'unchanged' },
    { key: 'failed', count: counts.failed + counts.rolledBack, color: 'red', label: 'failed' },
    {
      key: 'stopped',
      count: counts.cancelled + counts.skipped + counts.interrupted,
      color: 'yellow',
      label: 'not deployed',
    },
  ];
  return sections.filter((s) => s.count > 0).map((s) => ({ ...s, value: share(s.count) }));
}
