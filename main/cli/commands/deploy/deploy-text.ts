import {
  okDeviceStatuses,
  type Deployment,
  type DeploymentReport,
  type DeployPreview,
  type DeviceRelease,
  type DeviceResult,
  type DriftReport,
  type ReleaseRef,
} from '../../../../shared/schemas/deploy';
import type { DeployService } from '../../../core/deploy/deploy-service';
import { formatBytes, table } from '../../format';

/** Text output of deploy, rollback, status, history and drift: tables, then what went wrong and what to do. */

const time = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');
const seconds = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
const ref = (r: ReleaseRef | null): string => r?.release ?? '-';

/** A device that ended deployed or unchanged; anything else makes the command exit 1. */
export function deviceOk(d: DeviceResult): boolean {
  return okDeviceStatuses.has(d.status);
}

export function reportText(report: DeploymentReport): string {
  const { deployment: d, devices } = report;
  const what =
    d.kind === 'deploy'
      ? `deploy of ${d.modelName} ${d.release ?? ''} (${d.sizeBytes === null ? '?' : formatBytes(d.sizeBytes)})`
      : `rollback of ${d.modelName}${d.release === null ? ' to the previous release' : ` to ${d.release}`}`;
  const lines = [`${d.id}: ${what} — ${d.status}`, ''];
  lines.push(
    table(
      ['DEVICE', 'STATUS', 'BEFORE', 'AFTER', 'SENT', 'TIME', 'ERROR'],
      devices.map((r) => [
        r.deviceName,
        r.status,
        r.releaseBefore ?? '-',
        r.releaseAfter ?? '-',
        formatBytes(r.bytesSent),
        seconds(r.durationMs),
        r.error?.code ?? '',
      ]),
    ).trimEnd(),
  );
  const counts = new Map<string, number>();
  for (const r of devices) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  lines.push(
    '',
    `${devices.length} device(s): ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ')}`,
  );
  const bad = devices.filter((r) => !deviceOk(r) && r.error !== null);
  for (const r of bad) {
    lines.push(`  ${r.deviceName}: ${r.error?.code}: ${r.error?.message}`);
    const hint = hintFor(r);
    if (hint !== null) lines.push(`    next: ${hint}`);
  }
  if (d.error !== null && !bad.some((r) => r.error?.message === d.error?.message)) {
    lines.push(`  ${d.error.code}: ${d.error.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The command that fixes a device's failure, when there is one. */
function hintFor(r: DeviceResult): string | null {
  switch (r.error?.code) {
    case 'HOST_KEY_UNKNOWN':
      return `edgefleet devices trust ${r.deviceName}   (compare the fingerprint first)`;
    case 'HOST_KEY_MISMATCH':
      return `only if the change is expected (device reinstalled): edgefleet devices trust ${r.deviceName} --fingerprint <the new one>`;
    default:
      return null;
  }
}

function previewText(preview: DeployPreview): string {
  const lines = [
    `${preview.variantName}${preview.variantName === preview.modelName ? '' : ` (as ${preview.modelName} on the devices)`} (${preview.modelId}), ${formatBytes(preview.sizeBytes)}, as recorded (no device contacted):`,
    table(
      ['DEVICE', 'ADDRESS', 'TRUSTED', 'RUNS NOW', 'CHANGE', 'FREE DISK'],
      preview.devices.map((d) => [
        d.deviceName,
        d.host,
        d.trusted ? 'yes' : 'no',
        ref(d.current),
        d.unchanged ? 'none' : d.repair ? 'repair' : 'deploy',
        d.freeDiskBytes === null ? '?' : formatBytes(d.freeDiskBytes),
      ]),
    ).trimEnd(),
  ];
  for (const d of preview.devices) for (const note of d.notes) lines.push(`  ${d.deviceName}: ${note}`);
  return `${lines.join('\n')}\n`;
}

type DisplayPlan = ReturnType<DeployService['planForDisplay']>;

/** The dry run: the preview, then per device every step and the exact command lines. */
export function planText(preview: DeployPreview, plan: DisplayPlan): string {
  const lines = [previewText(preview).trimEnd(), '', `Plan (release ${plan.release}); nothing was run:`];
  for (const device of plan.devices) {
    lines.push('', `${device.deviceName} (${device.where}):`);
    for (const s of device.steps) {
      lines.push(`  ${s.step}: ${s.description}${s.condition === null ? '' : ` [${s.condition}]`}`);
      if (s.upload !== null) lines.push(`    sftp put ${s.upload.localPath} → ${s.upload.remotePath}`);
      for (const c of s.commands)
        lines.push(`    $ ${c.line.split('\n')[0] ?? ''}${c.line.includes('\n') ? ' …' : ''}`);
    }
    if (device.onFailure.length > 0) {
      lines.push(`  on failure: ${device.onFailure.map((s) => s.step).join(' → ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function statusText(rows: DeviceRelease[]): string {
  if (rows.length === 0) {
    return 'Nothing deployed yet (as recorded). Deploy with: edgefleet deploy MODEL --to DEVICE\n';
  }
  return table(
    ['DEVICE', 'MODEL', 'CURRENT', 'PREVIOUS', 'SOURCE', 'UPDATED', 'DEPLOY ROOT'],
    rows.map((r) => [
      r.deviceName,
      r.modelName,
      ref(r.current),
      ref(r.previous),
      r.source,
      time(r.updatedAt),
      r.deployRoot,
    ]),
  );
}

export function historyText(rows: Deployment[]): string {
  if (rows.length === 0) return 'No deployments yet.\n';
  return table(
    ['ID', 'KIND', 'MODEL', 'RELEASE', 'STATUS', 'DEVICES', 'CREATED', 'BY'],
    rows.map((d) => [
      d.id,
      d.kind,
      d.modelName,
      d.release ?? (d.kind === 'rollback' ? '(previous)' : '-'),
      d.status,
      String(d.targets.length),
      time(d.createdAt),
      d.requestedBy,
    ]),
  );
}

export function driftOk(report: DriftReport): boolean {
  return report.errors.length === 0 && report.results.every((r) => r.state === 'in_sync');
}

export function driftText(report: DriftReport): string {
  const lines: string[] = [];
  if (report.results.length === 0 && report.errors.length === 0) {
    lines.push('No EdgeFleet model found on these devices, and none recorded there.');
  } else if (report.results.length > 0) {
    lines.push(
      table(
        ['DEVICE', 'MODEL', 'STATE', 'EXPECTED', 'OBSERVED', 'ADOPTED'],
        report.results.map((r) => [
          r.deviceName,
          r.modelName,
          r.state,
          ref(r.expected),
          r.observed.release ?? '-',
          r.adopted ? 'yes' : '',
        ]),
      ).trimEnd(),
    );
    for (const r of report.results.filter((x) => x.state !== 'in_sync'))
      lines.push(`  ${r.deviceName}: ${r.message}`);
  }
  for (const e of report.errors)
    lines.push(`  ${e.deviceName}: not checked: ${e.error.code}: ${e.error.message}`);
  return `${lines.join('\n')}\n`;
}
