import type { HardwareProfile, ProfileArch } from '../../../../shared/schemas/bench';
import type { ArchFamily, Device, ProbeFacts } from '../../../../shared/schemas/fleet';
import { formatDateTime } from '../../lib/format';

/** "just now", "5 min ago", "3 h ago", "2 days ago"; dates in the future read "just now" (clock skew). */
export function formatAgo(iso: string, now: number = Date.now()): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}

/** One line for the table: "Debian GNU/Linux 12 · x86_64 · 8 cores". */
export function systemLine(facts: ProbeFacts): string {
  const os = facts.os.prettyName ?? facts.os.name ?? facts.kernel.name;
  const cores =
    facts.cpu.cores === null ? null : `${facts.cpu.cores} ${facts.cpu.cores === 1 ? 'core' : 'cores'}`;
  return [os, facts.arch, cores].filter((s): s is string => s !== null && s !== '').join(' · ');
}

/** "3 devices", "1 device", with thousands separators. */
export function countDevices(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'device' : 'devices'}`;
}

/** The probe's architecture families each profile architecture runs on. */
const familiesOf: Record<ProfileArch, readonly ArchFamily[]> = {
  arm64: ['arm64'],
  armv7: ['arm'],
  x86_64: ['x86_64'],
};

/**
 * The device's hardware profile names a CPU architecture; when the probe found another one, estimates made
 * with that profile do not describe this device. Null when they agree, or when either is unknown (a
 * free-text profile that is not in the catalog, or a device not probed yet).
 */
export function profileMismatch(
  device: { profile: Device['profile']; facts: Pick<ProbeFacts, 'arch' | 'archFamily'> | null },
  profiles: readonly Pick<HardwareProfile, 'id' | 'arch'>[],
): { profile: string; profileArch: ProfileArch; probedArch: string } | null {
  const facts = device.facts;
  const profile = profiles.find((p) => p.id === device.profile);
  if (!facts || !profile || facts.archFamily === 'other') return null;
  if (familiesOf[profile.arch].includes(facts.archFamily)) return null;
  return { profile: profile.id, profileArch: profile.arch, probedArch: facts.arch ?? facts.archFamily };
}

/** "5 Jan 2025, 10:00, 3.2 ms": when the device was last checked, and how fast it answered. */
export function lastCheckLine(status: { checkedAt: string; latencyMs: number | null }): string {
  return `${formatDateTime(status.checkedAt)}${status.latencyMs !== null ? `, ${status.latencyMs} ms` : ''}`;
}
