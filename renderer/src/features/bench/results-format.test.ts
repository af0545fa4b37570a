import { describe, expect, it } from 'vitest';
import { estimated, measured, variant } from '../../testing/bench-results';
import { formatDateTime } from '../../lib/format';
import { groupByTarget } from './bench-results';
import { collectNotes, groupMeta, latencyText, targetTitle } from './results-format';

const models = [variant('a', 'p', { sqnrDb: 40, cosine: 0.9999, top1Agreement: 1 })];

describe('results format', () => {
  it('titles a target as this machine, a device by name, a profile by its label', () => {
    expect(targetTitle({ kind: 'local', id: 'this-machine', label: 'this machine' })).toBe('This machine');
    expect(targetTitle({ kind: 'device', id: 'pi-kitchen', label: 'pi@10.0.0.1' })).toBe('pi-kitchen');
    expect(targetTitle({ kind: 'profile', id: 'rpi5', label: 'Raspberry Pi 5' })).toBe('Raspberry Pi 5');
  });

  it('says how measured and estimated figures were made', () => {
    const when = formatDateTime('2025-03-01T00:00:00.000Z');
    const [local, profile] = groupByTarget([measured('a', 2), estimated('a', 'rpi5', 9)], models);
    expect(groupMeta(local!)).toBe(`onnxruntime-node 1.30.0 · 1 thread · 10 runs · ${when}`);
    expect(groupMeta(profile!)).toBe(`1 thread · ORT 1.30.0 graph · ${when}`);
    expect(groupMeta({ ...local!, rows: [] })).toBe('');
  });

  it('marks estimated latencies as approximate', () => {
    expect(latencyText({ source: 'estimated' }, 2.5)).toBe('≈ 2.50 ms');
    expect(latencyText({ source: 'measured' }, 2.5)).toBe('2.50 ms');
    expect(latencyText({ source: 'measured' }, null)).toBe('—');
  });

  it('lists each estimate warning once with every target it came up on', () => {
    const groups = groupByTarget(
      [measured('a', 2), estimated('a', 'rpi5', 9), estimated('a', 'jetson', 4)],
      models,
    );
    expect(collectNotes(groups)).toEqual([
      { message: 'fp16 gives no speed-up here', targets: ['JETSON', 'RPI5'] },
    ]);
  });
});
