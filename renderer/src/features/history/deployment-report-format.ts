import { deployOptionsSchema, type DeviceResult } from '../../../../shared/schemas/deploy';
import { formatDuration } from '../deploy/deploy-labels';

/**
 * A deployment's rollout options in one line, or null when the stored options do not parse (a record
 * written by an older version): the report then leaves the line out rather than guess.
 */
export function optionsLine(options: unknown): string | null {
  const parsed = deployOptionsSchema.safeParse(options);
  if (!parsed.success) return null;
  const { concurrency, canary, maxFailPercent } = parsed.data;
  const stop = maxFailPercent === null ? 'never stops' : `stops past ${maxFailPercent} % failed`;
  return `concurrency ${concurrency} · canary ${canary} · ${stop}`;
}

/** Devices in rollout order; a failed one's id is in `withErrors`, so the report opens its log. */
export function reportDevices(devices: readonly DeviceResult[]): {
  sorted: DeviceResult[];
  withErrors: Set<string>;
} {
  const sorted = [...devices].sort((a, b) => a.position - b.position);
  return { sorted, withErrors: new Set(sorted.filter((d) => d.error !== null).map((d) => d.deviceId)) };
}

/** A log line's time after the device's first line: "+1.2 s"; "?" when a timestamp does not parse. */
export function logOffset(first: string, at: string): string {
  const offset = new Date(at).getTime() - new Date(first).getTime();
  return `+${Number.isFinite(offset) ? formatDuration(offset) : '?'}`;
}

/** "Show 3 lines" / "Hide 1 line". */
export function logToggleText(open: boolean, lines: number): string {
  return `${open ? 'Hide' : 'Show'} ${lines} ${lines === 1 ? 'line' : 'lines'}`;
}
