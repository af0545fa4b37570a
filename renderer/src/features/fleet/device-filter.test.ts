import { describe, expect, it } from 'vitest';
import { addressOf, emptyFilter, facetsOf, filterDevices, isFiltered } from './device-filter';
import { sampleDevice } from './sample-device';

const pinned = {
  publicKey: 'ssh-ed25519 AAAA',
  keyType: 'ssh-ed25519',
  fingerprint: 'SHA256:abc',
  pinnedAt: '2025-01-01T00:00:00.000Z',
};
const online = { state: 'online' as const, checkedAt: '2025-01-01T00:00:00.000Z', latencyMs: 3, error: null };

const devices = [
  sampleDevice({
    id: 'd_1',
    name: 'pi-1',
    tags: ['lab', 'arm'],
    profile: 'rpi4',
    hostKey: pinned,
    status: online,
  }),
  sampleDevice({ id: 'd_2', name: 'jetson-2', host: 'fe80::1', tags: ['lab'], profile: 'jetson-nano' }),
  sampleDevice({ id: 'd_3', name: 'nuc-3', tags: [], notes: 'Shelf B, next to the router', hostKey: pinned }),
];
const names = (list: readonly { name: string }[]) => list.map((d) => d.name);

describe('filterDevices', () => {
  it('returns the same array when nothing filters', () => {
    expect(isFiltered(emptyFilter)).toBe(false);
    expect(filterDevices(devices, emptyFilter)).toBe(devices);
  });

  it('combines tag, profile, status and every word of the text', () => {
    expect(names(filterDevices(devices, { ...emptyFilter, tag: 'lab' }))).toEqual(['pi-1', 'jetson-2']);
    expect(names(filterDevices(devices, { ...emptyFilter, tag: 'lab', profile: 'rpi4' }))).toEqual(['pi-1']);
    expect(names(filterDevices(devices, { ...emptyFilter, status: 'online' }))).toEqual(['pi-1']);
    expect(names(filterDevices(devices, { ...emptyFilter, status: 'unchecked' }))).toEqual([
      'jetson-2',
      'nuc-3',
    ]);
    expect(names(filterDevices(devices, { ...emptyFilter, status: 'untrusted' }))).toEqual(['jetson-2']);
    expect(names(filterDevices(devices, { ...emptyFilter, text: 'SHELF router' }))).toEqual(['nuc-3']);
    expect(names(filterDevices(devices, { ...emptyFilter, text: 'shelf jetson' }))).toEqual([]);
    expect(names(filterDevices(devices, { ...emptyFilter, text: '[fe80::1]:22' }))).toEqual(['jetson-2']);
  });
});

describe('facetsOf', () => {
  it('offers only the tags, profiles and states the inventory has', () => {
    expect(facetsOf(devices)).toEqual({
      tags: ['arm', 'lab'],
      profiles: ['jetson-nano', 'rpi4'],
      statuses: { online: 1, unchecked: 2, untrusted: 1 },
    });
  });
});

describe('addressOf', () => {
  it('writes user@host:port with IPv6 in brackets', () => {
    expect(addressOf(devices[0]!)).toBe('pi@10.0.0.11:22');
    expect(addressOf(devices[1]!)).toBe('pi@[fe80::1]:22');
  });
});
