import { describe, expect, it } from 'vitest';
import type { HostKeyScan } from '../../../../shared/schemas/fleet';
import {
  alreadyTrusted,
  isAccepted,
  normalizeFingerprint,
  parseFingerprints,
  rowKey,
  trustRequest,
  verdictOf,
  waitingDevices,
} from './trust-flow';

const fpA = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const fpB = 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const fpJ = 'SHA256:JJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJJ';

function ok(
  deviceId: string,
  fingerprint: string,
  pinned: 'none' | 'same' | 'different',
  role: 'device' | 'jump' = 'device',
): HostKeyScan {
  return {
    device: deviceId,
    deviceId,
    ok: true,
    role,
    endpoint: '127.0.0.1:22',
    fingerprint,
    keyType: 'ssh-ed25519',
    publicKey: 'ssh-ed25519 AAAA',
    pinned,
    pinnedFingerprint: pinned === 'none' ? null : fpB,
  };
}
function failed(deviceId: string, code: 'HOST_KEY_UNKNOWN' | 'UNREACHABLE'): HostKeyScan {
  return {
    device: deviceId,
    deviceId,
    ok: false,
    role: 'device',
    endpoint: '127.0.0.1:22',
    error: { code, message: code },
  };
}

describe('parseFingerprints', () => {
  it('finds fingerprints in pasted ssh-keygen output and drops base64 padding', () => {
    const pasted = `256 ${fpA} root@pi (ED25519)\n  sha256:${fpB.slice(7)}=  \nnot a key`;
    expect([...parseFingerprints(pasted)]).toEqual([fpA, fpB]);
    expect(normalizeFingerprint(` ${fpA}=`)).toBe(fpA);
    expect(parseFingerprints('SHA256:short').size).toBe(0);
  });
});

describe('acceptance and the trust request', () => {
  const rows = [
    ok('d_new', fpA, 'none'),
    ok('d_same', fpB, 'same'),
    ok('d_changed', fpA, 'different'),
    ok('d_adhoc', fpJ, 'none', 'jump'),
    failed('d_adhoc', 'HOST_KEY_UNKNOWN'),
    failed('d_down', 'UNREACHABLE'),
  ];

  it('ticks new keys, never a changed one unless the user does, and never what is already pinned', () => {
    expect(rows.map(verdictOf)).toEqual(['new', 'trusted', 'changed', 'new', 'waiting', 'failed']);
    const none = new Map<string, boolean>();
    expect(rows.map((r) => isAccepted(r, none, new Set()))).toEqual([true, false, false, true, false, false]);
    expect(trustRequest(rows, none, new Set())).toEqual({
      devices: [
        { ref: 'd_new', fingerprints: [fpA] },
        { ref: 'd_adhoc', fingerprints: [fpJ] },
      ],
    });

    const choices = new Map([
      [rowKey(rows[2]!), true],
      [rowKey(rows[0]!), false],
      [rowKey(rows[1]!), true],
    ]);
    expect(trustRequest(rows, choices, new Set())).toEqual({
      devices: [
        { ref: 'd_changed', fingerprints: [fpA] },
        { ref: 'd_adhoc', fingerprints: [fpJ] },
      ],
    });
  });

  it('with typed fingerprints, only matching keys can be accepted', () => {
    const none = new Map<string, boolean>();
    expect(trustRequest(rows, none, new Set([fpJ]))).toEqual({
      devices: [{ ref: 'd_adhoc', fingerprints: [fpJ] }],
    });
    expect(trustRequest(rows, none, parseFingerprints(`SHA256:${'Z'.repeat(43)}`))).toBeNull();
  });

  it('knows which devices wait for their jump host and which are trusted already', () => {
    expect(waitingDevices(rows)).toEqual(['d_adhoc']);
    expect(alreadyTrusted(rows)).toEqual(['d_same']);
  });
});
