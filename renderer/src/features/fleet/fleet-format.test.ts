import { describe, expect, it } from 'vitest';
import { countDevices, formatAgo, profileMismatch } from './fleet-format';

describe('formatAgo', () => {
  const now = Date.parse('2025-06-01T12:00:00.000Z');
  it('reads like a person would say it', () => {
    expect(formatAgo('2025-06-01T11:59:40.000Z', now)).toBe('just now');
    expect(formatAgo('2025-06-01T12:05:00.000Z', now)).toBe('just now');
    expect(formatAgo('2025-06-01T11:55:00.000Z', now)).toBe('5 min ago');
    expect(formatAgo('2025-06-01T09:00:00.000Z', now)).toBe('3 h ago');
    expect(formatAgo('2025-05-30T12:00:00.000Z', now)).toBe('2 days ago');
    expect(formatAgo('not a date', now)).toBe('not a date');
  });
});

describe('countDevices', () => {
  it('groups thousands and says device or devices', () => {
    expect(countDevices(1)).toBe('1 device');
    expect(countDevices(2000)).toBe('2,000 devices');
  });
});

describe('profileMismatch', () => {
  const profiles = [
    { id: 'rpi4', arch: 'arm64' as const },
    { id: 'x86-ipc-avx2', arch: 'x86_64' as const },
  ];
  it("warns when the probed architecture is not the profile's", () => {
    expect(
      profileMismatch({ profile: 'rpi4', facts: { arch: 'x86_64', archFamily: 'x86_64' } }, profiles),
    ).toEqual({ profile: 'rpi4', profileArch: 'arm64', probedArch: 'x86_64' });
  });
  it('is quiet when they agree, or when the profile or the facts are unknown', () => {
    expect(
      profileMismatch({ profile: 'rpi4', facts: { arch: 'aarch64', archFamily: 'arm64' } }, profiles),
    ).toBeNull();
    expect(
      profileMismatch({ profile: 'my-board', facts: { arch: 'x86_64', archFamily: 'x86_64' } }, profiles),
    ).toBeNull();
    expect(profileMismatch({ profile: 'rpi4', facts: null }, profiles)).toBeNull();
    expect(
      profileMismatch({ profile: null, facts: { arch: 'x86_64', archFamily: 'x86_64' } }, profiles),
    ).toBeNull();
  });
});
