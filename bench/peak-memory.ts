import { readFileSync } from 'node:fs';

/** Peak resident memory of this process in MB (VmHWM: maxRSS can carry a parent's peak into a child on Linux). */
export function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}
