import { describe, expect, it } from 'vitest';
import { sampleDeviceResult } from '../../testing/deploy-results';
import { logOffset, logToggleText, optionsLine, reportDevices } from './deployment-report-format';

describe('deployment report format', () => {
  it('puts the rollout options in one line, and leaves out options it cannot read', () => {
    expect(optionsLine({ concurrency: 4, canary: 1, maxFailPercent: 20 })).toBe(
      'concurrency 4 · canary 1 · stops past 20 % failed',
    );
    expect(optionsLine({})).toBe('concurrency 8 · canary 0 · never stops');
    expect(optionsLine({ concurrency: 'many' })).toBeNull();
  });

  it('orders devices as they rolled out and names the failed ones', () => {
    const { sorted, withErrors } = reportDevices([
      sampleDeviceResult({ deviceId: 'd2', position: 1, error: { code: 'TIMEOUT', message: 'slow' } }),
      sampleDeviceResult({ deviceId: 'd1', position: 0 }),
    ]);
    expect(sorted.map((d) => d.deviceId)).toEqual(['d1', 'd2']);
    expect([...withErrors]).toEqual(['d2']);
  });

  it('times log lines from the first and says so when a timestamp does not parse', () => {
    expect(logOffset('2025-02-01T10:00:00.000Z', '2025-02-01T10:00:01.500Z')).toBe('+1.5 s');
    expect(logOffset('2025-02-01T10:00:00.000Z', 'yesterday')).toBe('+?');
    expect(logToggleText(false, 1)).toBe('Show 1 line');
    expect(logToggleText(true, 3)).toBe('Hide 3 lines');
  });
});
