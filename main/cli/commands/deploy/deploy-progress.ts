import { isFinalDeviceStatus, type DeployProgress } from '../../../../shared/schemas/deploy';
import { RolloutProgress } from '../../../core/deploy/rollout-progress';
import type { CliIo } from '../../cli-context';
import { formatBytes } from '../../format';

/**
 * Per-device rollout progress on stderr (never with --json). Not a terminal: one line each time a device
 * reaches a new step or ends, so logs read as a story. A terminal: a live block, one row per device (step,
 * bar, bytes, rate), redrawn at most ten times a second.
 */

/** Rows drawn at most in the live block; beyond that only running devices are listed. */
const maxRows = 20;
const redrawMs = 100;

type Row = DeployProgress & { seen: number };

type DeployProgressView = { update(p: DeployProgress): void; end(): void };

export function deployProgressView(io: CliIo, json: boolean, verb = 'deploy'): DeployProgressView {
  if (json) return { update: () => undefined, end: () => undefined };
  return io.stderrIsTty ? liveView(io, verb) : lineView(io);
}

function lineView(io: CliIo): DeployProgressView {
  const last = new Map<string, string>();
  return {
    update(p) {
      const key = `${p.step}/${p.status}`;
      if (last.get(p.deviceId) === key) return;
      last.set(p.deviceId, key);
      io.stderr(`[${p.devicesDone}/${p.devicesTotal}] ${p.deviceName}: ${describe(p)}\n`);
    },
    end: () => undefined,
  };
}

function describe(p: DeployProgress): string {
  if (isFinalDeviceStatus(p.status)) return `${p.status}${p.message === undefined ? '' : ` (${p.message})`}`;
  if (p.step === 'upload') return `upload ${formatBytes(p.bytesTotal)}`;
  return p.step;
}

function liveView(io: CliIo, verb: string): DeployProgressView {
  const rows = new Map<string, Row>();
  const overall = new RolloutProgress();
  let percent = 0;
  let drawnLines = 0;
  let lastDraw = 0;
  let timer: NodeJS.Timeout | undefined;
  let counter = 0;

  const draw = (): void => {
    timer = undefined;
    lastDraw = performance.now();
    const all = [...rows.values()].sort((a, b) => a.seen - b.seen);
    const done = all.filter((r) => isFinalDeviceStatus(r.status)).length;
    const total = all[0]?.devicesTotal ?? all.length;
    const shown =
      all.length <= maxRows ? all : all.filter((r) => !isFinalDeviceStatus(r.status)).slice(0, maxRows);
    const width = Math.max(6, ...shown.map((r) => r.deviceName.length));
    const lines = [
      `${verb} ${percent.toFixed(0).padStart(3)}%  ${done}/${total} devices done${shown.length < all.length ? ` (showing ${shown.length} running)` : ''}`,
      ...shown.map((r) => rowText(r, width)),
    ];
    // A wrapped line would break the cursor arithmetic: every line stays within the terminal's width.
    const columns = Math.max(20, (process.stderr.columns ?? 100) - 1);
    let out = drawnLines > 0 ? `\x1b[${drawnLines}A` : '';
    for (const line of lines)
      out += `\r${line.length > columns ? `${line.slice(0, columns - 1)}…` : line}\x1b[K\n`;
    // Rows that disappeared (a smaller block) are cleared.
    for (let i = lines.length; i < drawnLines; i++) out += '\r\x1b[K\n';
    const extra = Math.max(0, drawnLines - lines.length);
    if (extra > 0) out += `\x1b[${extra}A`;
    drawnLines = lines.length;
    io.stderr(out);
  };

  return {
    update(p) {
      percent = overall.update(p);
      const prev = rows.get(p.deviceId);
      rows.set(p.deviceId, { ...p, seen: prev?.seen ?? counter++ });
      const final = isFinalDeviceStatus(p.status);
      if (timer !== undefined && !final) return;
      const wait = redrawMs - (performance.now() - lastDraw);
      if (final || wait <= 0) {
        if (timer !== undefined) clearTimeout(timer);
        draw();
      } else timer = setTimeout(draw, wait);
    },
    end() {
      if (timer !== undefined) {
        clearTimeout(timer);
        draw();
      }
    },
  };
}

function rowText(r: Row, width: number): string {
  const name = r.deviceName.padEnd(width);
  if (isFinalDeviceStatus(r.status))
    return `${name}  ${r.status}${r.message === undefined ? '' : `: ${r.message}`}`;
  if (r.step !== 'upload' || r.bytesTotal === 0) return `${name}  ${r.step}`;
  const fraction = Math.min(1, r.bytesSent / r.bytesTotal);
  const filled = Math.round(fraction * 20);
  return `${name}  upload [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${formatBytes(r.bytesSent)}/${formatBytes(r.bytesTotal)} ${formatBytes(r.bytesPerSec)}/s`;
}
