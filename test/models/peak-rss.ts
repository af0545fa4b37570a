import { readFileSync } from 'node:fs';

/**
 * This process's peak resident memory. Read from /proc (VmHWM) because getrusage's maxrss survives
 * fork + exec on Linux: a child would report its parent's peak if the parent was bigger.
 */
export function peakRssBytes(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS * 1024;
}
