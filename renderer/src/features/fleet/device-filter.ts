import type { Device, DeviceState } from '../../../../shared/schemas/fleet';

/** What the status filter offers: the last check's state, plus "never checked" and "host key not pinned". */
export type StatusFilter = DeviceState | 'unchecked' | 'untrusted';

export type DeviceFilter = {
  /** Words that must all appear (any case) in the device's name, address, tags, profile, notes or facts. */
  text: string;
  tag: string | null;
  status: StatusFilter | null;
  profile: string | null;
};

export const emptyFilter: DeviceFilter = { text: '', tag: null, status: null, profile: null };

export const statusLabels: Record<DeviceState | 'unchecked', string> = {
  online: 'online',
  offline: 'offline',
  auth_failed: 'auth failed',
  host_key_problem: 'host key problem',
  timeout: 'timeout',
  error: 'error',
  unchecked: 'not checked',
};

export const statusFilterLabels: Record<StatusFilter, string> = {
  ...statusLabels,
  untrusted: 'host key not trusted',
};

export function stateOf(device: Device): DeviceState | 'unchecked' {
  return device.status?.state ?? 'unchecked';
}

/** `user@host:port`, IPv6 hosts in brackets, as ssh and the CLI print it. */
export function addressOf(device: Pick<Device, 'user' | 'host' | 'port'>): string {
  const host = device.host.includes(':') ? `[${device.host}]` : device.host;
  return `${device.user}@${host}:${device.port}`;
}

// Built once per device object: the list query hands out new objects only when the data changed.
const haystacks = new WeakMap<Device, string>();

function haystackOf(device: Device): string {
  let text = haystacks.get(device);
  if (text === undefined) {
    const facts = device.probe?.facts;
    text = [
      device.name,
      addressOf(device),
      device.jump ?? '',
      device.tags.join(' '),
      device.profile ?? '',
      device.notes ?? '',
      facts?.hostname ?? '',
      facts?.os.prettyName ?? '',
      facts?.arch ?? '',
      facts?.cpu.model ?? '',
      facts?.cpu.board ?? '',
    ]
      .join('\n')
      .toLowerCase();
    haystacks.set(device, text);
  }
  return text;
}

function matchesStatus(device: Device, status: StatusFilter): boolean {
  if (status === 'untrusted') return device.hostKey === null;
  return stateOf(device) === status;
}

export function isFiltered(filter: DeviceFilter): boolean {
  return (
    filter.text.trim() !== '' || filter.tag !== null || filter.status !== null || filter.profile !== null
  );
}

export function filterDevices(devices: readonly Device[], filter: DeviceFilter): readonly Device[] {
  if (!isFiltered(filter)) return devices;
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return devices.filter(
    (d) =>
      (filter.tag === null || d.tags.includes(filter.tag)) &&
      (filter.profile === null || d.profile === filter.profile) &&
      (filter.status === null || matchesStatus(d, filter.status)) &&
      (words.length === 0 || words.every((w) => haystackOf(d).includes(w))),
  );
}

export type Facets = {
  tags: string[];
  profiles: string[];
  /** How many devices are in each status-filter bucket (only buckets that have devices). */
  statuses: Partial<Record<StatusFilter, number>>;
};

/** The values the filters offer: only what the inventory has, so no choice ever yields an empty list. */
export function facetsOf(devices: readonly Device[]): Facets {
  const tags = new Set<string>();
  const profiles = new Set<string>();
  const statuses: Partial<Record<StatusFilter, number>> = {};
  for (const d of devices) {
    for (const t of d.tags) tags.add(t);
    if (d.profile !== null) profiles.add(d.profile);
    const state = stateOf(d);
    statuses[state] = (statuses[state] ?? 0) + 1;
    if (d.hostKey === null) statuses.untrusted = (statuses.untrusted ?? 0) + 1;
  }
  const byText = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'base' });
  return { tags: [...tags].sort(byText), profiles: [...profiles].sort(byText), statuses };
}
