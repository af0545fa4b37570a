import type {
  Device,
  HostKeyScan,
  ImportReport,
  ProbeOutcome,
  StatusOutcome,
  TrustOutcome,
} from '../../../../shared/schemas/fleet';
import { formatBytes, table } from '../../format';

/** Text output of the devices commands: tables for lists, key: value blocks for one device. */

const time = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');

function trustedCell(d: Device): string {
  return d.hostKey === null ? 'no' : 'yes';
}

export function deviceListText(devices: Device[]): string {
  if (devices.length === 0) {
    return 'No devices. Add one with: edgefleet devices add --name NAME --host HOST\n';
  }
  return table(
    ['NAME', 'HOST', 'USER', 'AUTH', 'TAGS', 'PROFILE', 'TRUSTED', 'STATUS', 'LAST SEEN'],
    devices.map((d) => [
      d.name,
      `${d.host}:${d.port}${d.jump === null ? '' : ` via ${d.jump}`}`,
      d.user,
      d.authMethod,
      d.tags.map((t) => (/[\s,]/.test(t) || t === '' ? JSON.stringify(t) : t)).join(', '),
      d.profile ?? '',
      trustedCell(d),
      d.status?.state ?? '-',
      time(d.lastSeenAt),
    ]),
  );
}

export function deviceText(d: Device): string {
  const facts = d.probe?.facts;
  const lines = [
    `${d.name}  (${d.id})`,
    `  address      ${d.user}@${d.host}:${d.port}${d.jump === null ? '' : ` via ${d.jump}`}`,
    `  auth         ${d.authMethod}${d.keyPath === null ? '' : ` ${d.keyPath}`}`,
    `  tags         ${d.tags.length === 0 ? '-' : d.tags.map((t) => JSON.stringify(t)).join(', ')}`,
    `  profile      ${d.profile ?? '-'}`,
    `  deploy root  ${d.deployRoot}`,
    `  restart      ${d.restartCmd ?? '-'}`,
    `  health check ${d.healthCmd ?? '-'}`,
    `  notes        ${d.notes ?? '-'}`,
    `  host key     ${d.hostKey === null ? `not trusted yet (run: edgefleet devices trust ${d.name})` : `${d.hostKey.keyType} ${d.hostKey.fingerprint}, pinned ${time(d.hostKey.pinnedAt)}`}`,
  ];
  if (d.jumpHostKey !== null) {
    lines.push(`  jump key     ${d.jumpHostKey.keyType} ${d.jumpHostKey.fingerprint}`);
  }
  lines.push(
    `  status       ${d.status === null ? 'never checked' : `${d.status.state} at ${time(d.status.checkedAt)}${d.status.latencyMs === null ? '' : `, ${d.status.latencyMs} ms`}${d.status.error === null ? '' : ` (${d.status.error.code})`}`}`,
    `  last seen    ${time(d.lastSeenAt)}`,
    `  added        ${time(d.createdAt)}, updated ${time(d.updatedAt)}`,
  );
  if (facts !== undefined) {
    lines.push(
      '',
      `Probed ${time(d.probe?.probedAt)}`,
      `  os           ${facts.os.prettyName ?? facts.os.name ?? '?'}; ${facts.kernel.name ?? '?'} ${facts.kernel.release ?? ''}`.trimEnd(),
      `  arch         ${facts.arch ?? '?'} (${facts.archFamily}${facts.userlandBits === null ? '' : `, ${facts.userlandBits}-bit userland`})`,
      `  cpu          ${facts.cpu.model ?? '?'}, ${facts.cpu.cores ?? '?'} cores${facts.cpu.board === null ? '' : `; ${facts.cpu.board}`}`,
      `  features     ${facts.cpu.features.join(' ') || '-'}`,
      `  memory       ${facts.memory.totalBytes === null ? '?' : formatBytes(facts.memory.totalBytes)} total, ${facts.memory.availableBytes === null ? '?' : formatBytes(facts.memory.availableBytes)} available`,
      `  disk         ${facts.disk.availableBytes === null ? '?' : formatBytes(facts.disk.availableBytes)} free at ${facts.disk.probedPath ?? facts.disk.deployRoot}`,
      `  runtimes     python ${facts.runtimes.python ?? '-'}, onnxruntime ${facts.runtimes.onnxruntime?.version ?? '-'}, node ${facts.runtimes.node ?? '-'}, perf_test ${facts.runtimes.perfTest ?? '-'}`,
      `  deployed     ${facts.deployments.length === 0 ? '-' : facts.deployments.map((m) => `${m.model} → ${m.current ?? '?'}`).join(', ')}`,
    );
    if (facts.warnings.length > 0) lines.push(`  warnings     ${facts.warnings.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

const errorCell = (e: { code: string; message: string } | null | undefined): string =>
  e === null || e === undefined ? '' : `${e.code}: ${e.message}`;

export function statusText(outcomes: StatusOutcome[]): string {
  return table(
    ['NAME', 'STATE', 'LATENCY', 'LAST SEEN', 'ERROR'],
    outcomes.map((o) => [
      o.device,
      o.state,
      o.latencyMs === null ? '-' : `${o.latencyMs.toFixed(0)} ms`,
      time(o.lastSeenAt),
      errorCell(o.error),
    ]),
  );
}

export function probeText(outcomes: ProbeOutcome[]): string {
  return table(
    ['NAME', 'ARCH', 'OS', 'CPU', 'CORES', 'RAM', 'FREE DISK', 'ONNXRUNTIME', 'ERROR'],
    outcomes.map((o) =>
      o.ok
        ? [
            o.device,
            o.facts.arch ?? '?',
            o.facts.os.prettyName ?? o.facts.os.id ?? '?',
            o.facts.cpu.model ?? '?',
            String(o.facts.cpu.cores ?? '?'),
            o.facts.memory.totalBytes === null ? '?' : formatBytes(o.facts.memory.totalBytes),
            o.facts.disk.availableBytes === null ? '?' : formatBytes(o.facts.disk.availableBytes),
            o.facts.runtimes.onnxruntime?.version ?? '-',
            '',
          ]
        : [o.device, '', '', '', '', '', '', '', errorCell(o.error)],
    ),
  );
}

export function trustResultText(outcomes: TrustOutcome[]): string {
  return table(
    ['NAME', 'RESULT', 'FINGERPRINT', 'ERROR'],
    outcomes.map((o) =>
      o.ok
        ? [
            o.device,
            o.action === 'replaced' ? `replaced ${o.previousFingerprint ?? ''}`.trim() : o.action,
            `${o.fingerprint}${o.jump === null ? '' : ` (jump host ${o.jump.fingerprint}: ${o.jump.action})`}`,
            '',
          ]
        : [o.device, 'failed', '', errorCell(o.error)],
    ),
  );
}

export function scanText(scans: HostKeyScan[]): string {
  return table(
    ['NAME', 'ENDPOINT', 'KEY', 'FINGERPRINT', 'PINNED'],
    scans.map((s) =>
      s.ok
        ? [
            s.role === 'jump' ? `${s.device} (jump host)` : s.device,
            s.endpoint,
            s.keyType,
            s.fingerprint,
            s.pinned === 'none'
              ? 'new'
              : s.pinned === 'same'
                ? 'already pinned'
                : `CHANGED: ${s.pinnedFingerprint ?? '?'} is pinned`,
          ]
        : [s.role === 'jump' ? `${s.device} (jump host)` : s.device, s.endpoint, '', '', errorCell(s.error)],
    ),
  );
}

export function importText(report: ImportReport): string {
  const c = report.counts;
  const rows = report.rows.map((r) => [
    r.line === null ? '' : String(r.line),
    r.name ?? '',
    r.action,
    r.reason ?? (r.changes.length > 0 ? r.changes.join(', ') : ''),
  ]);
  return (
    (rows.length > 0 ? table(['LINE', 'NAME', 'RESULT', 'DETAILS'], rows) : '') +
    report.notes.map((n) => `note: ${n}\n`).join('') +
    `${report.applied ? 'Imported' : 'Nothing imported'} (${report.format}): ${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.rejected} rejected\n`
  );
}
