import type { ProgressReport } from '../core/jobs/job-manager';
import type { CliIo } from './cli-context';

/** Progress on stderr (never with --json): a redrawn bar on a terminal, one line per phase otherwise. */
export function progressLine(
  io: CliIo,
  json: boolean,
  label: string,
): {
  update(r: ProgressReport): void;
  end(): void;
} {
  let lastPhase = '';
  let drawn = false;
  return {
    update(r) {
      if (json) return;
      if (io.stderrIsTty) {
        const pct = r.percent ?? 0;
        const filled = Math.round(pct / 5);
        io.stderr(
          `\r${label} [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${pct.toFixed(0).padStart(3)}% ${r.phase}${r.message ? ` · ${r.message}` : ''}\x1b[K`,
        );
        drawn = true;
      } else if (r.phase !== lastPhase) {
        io.stderr(
          `${label}: ${r.phase}${r.percent === null ? '' : ` (${r.percent.toFixed(0)}%)`}${r.message ? ` · ${r.message}` : ''}\n`,
        );
      }
      lastPhase = r.phase;
    },
    end() {
      if (drawn) io.stderr('\n');
    },
  };
}
