import { describe, expect, it } from 'vitest';
import type { OpOutcome, OpState } from './fleet-ops';
import {
  afterOp,
  importNotice,
  selectionLine,
  statusOptions,
  tagsOf,
  trustTitle,
  withUntrustedJumps,
} from './fleet-page-model';
import { sampleDevice } from './sample-device';

const pinned = {
  publicKey: 'ssh-ed25519 AAAA',
  keyType: 'ssh-ed25519',
  fingerprint: 'SHA256:abc',
  pinnedAt: '2025-01-01T00:00:00.000Z',
};

describe('withUntrustedJumps', () => {
  const devices = [
    sampleDevice({ id: 'd_edge', name: 'edge', jump: 'Gateway' }),
    sampleDevice({ id: 'd_gw', name: 'gateway', jump: 'bastion' }),
    sampleDevice({ id: 'd_bastion', name: 'bastion' }),
    sampleDevice({ id: 'd_trusted', name: 'trusted-gw', hostKey: pinned }),
    sampleDevice({ id: 'd_behind', name: 'behind', jump: 'trusted-gw' }),
  ];

  it('adds every untrusted device on the jump chain, matching names in any case', () => {
    expect(withUntrustedJumps(['d_edge'], devices).sort()).toEqual(['d_bastion', 'd_edge', 'd_gw']);
  });

  it('stops at a trusted jump device and at unknown jump names', () => {
    expect(withUntrustedJumps(['d_behind'], devices)).toEqual(['d_behind']);
    const orphan = [sampleDevice({ id: 'd_x', name: 'x', jump: 'nowhere' })];
    expect(withUntrustedJumps(['d_x'], orphan)).toEqual(['d_x']);
  });

  it('ends on a loop of jump hosts', () => {
    const loop = [
      sampleDevice({ id: 'a', name: 'a', jump: 'b' }),
      sampleDevice({ id: 'b', name: 'b', jump: 'a' }),
    ];
    expect(withUntrustedJumps(['a'], loop).sort()).toEqual(['a', 'b']);
  });
});

describe('trustTitle', () => {
  it('names one device and counts several', () => {
    const devices = [sampleDevice({ id: 'd_1', name: 'pi-1' }), sampleDevice({ id: 'd_2', name: 'pi-2' })];
    expect(trustTitle(['d_1'], devices)).toBe('Trust the host key of pi-1');
    expect(trustTitle(['d_1', 'd_2'], devices)).toBe('Trust the host keys of 2 devices');
  });
});

describe('afterOp', () => {
  const outcome = (deviceId: string, code: string | null, details?: unknown): OpOutcome => ({
    deviceId,
    device: deviceId,
    ok: code === null,
    summary: '',
    error: code === null ? null : { code: code as never, message: 'x', details },
  });
  const done = (outcomes: OpOutcome[]): OpState => ({
    status: 'done',
    seq: 1,
    kind: 'probe',
    count: outcomes.length,
    outcomes,
  });

  it('asks to trust unknown host keys of a single run, never of a bulk run', () => {
    const final = done([outcome('d_1', 'HOST_KEY_UNKNOWN')]);
    expect(afterOp(final, false)).toEqual({ ask: 'trust', ids: ['d_1'], then: 'probe' });
    expect(afterOp(final, true)).toEqual({ ask: 'nothing' });
  });

  it('asks for missing secrets, and for nothing when all went well or the run failed', () => {
    const final = done([outcome('d_1', 'SECRET_REQUIRED', { kind: 'password' })]);
    const next = afterOp(final, true);
    expect(next.ask).toBe('secrets');
    expect(afterOp(done([outcome('d_1', null)]), false)).toEqual({ ask: 'nothing' });
    expect(afterOp({ status: 'idle' }, false)).toEqual({ ask: 'nothing' });
  });
});

describe('notices and lines', () => {
  const report = (added: number, updated: number, unchanged: number, skipped: number) => ({
    format: 'csv' as const,
    counts: { added, updated, unchanged, skipped, rejected: 0 },
  });

  it('says when an import added nothing, rather than a count of zeros', () => {
    expect(importNotice(report(0, 0, 1200, 2))).toBe(
      'Nothing was added from the csv file: 1,200 already in the fleet as they are, 2 skipped.',
    );
    expect(importNotice(report(3, 1, 0, 0))).toBe('Imported from csv: 3 added, 1 updated.');
  });

  it('counts the selection and the part the filter hides', () => {
    expect(selectionLine([], [])).toBe('No devices selected');
    expect(selectionLine(['a', 'b'], [{ id: 'a' }])).toBe('2 devices selected (1 hidden by the filter)');
  });

  it('offers the statuses present, and the chosen one even when none has it', () => {
    const options = statusOptions({ statuses: { online: 2 } }, 'offline');
    expect(options).toEqual([
      { value: 'online', label: 'online (2)' },
      { value: 'offline', label: 'offline (0)' },
    ]);
  });

  it('collects the tags of the selected devices, sorted, once each', () => {
    const devices = [
      sampleDevice({ id: 'a', tags: ['lab', 'arm'] }),
      sampleDevice({ id: 'b', tags: ['lab'] }),
      sampleDevice({ id: 'c', tags: ['prod'] }),
    ];
    expect(tagsOf(['a', 'b'], devices)).toEqual(['arm', 'lab']);
  });
});
