import { describe, expect, it } from 'vitest';
import { defaultForm } from './bench-form';
import { estimatorLine, runSummary, targetCount } from './bench-lines';

describe('bench lines', () => {
  it('counts this machine, profiles and devices as targets', () => {
    const form = { ...defaultForm(), local: true, profileIds: ['rpi4', 'jetson'], deviceNames: ['pi-1'] };
    expect(targetCount(form)).toBe(4);
    expect(targetCount({ ...form, local: false, profileIds: [] })).toBe(1);
  });

  it('says what a run would do, and that this machine is calibrated first', () => {
    const local = { ...defaultForm(), local: true };
    expect(runSummary(3, 1, local)).toBe(
      '3 variants × 1 target · calibrates this machine first (seconds, reused for 12 h)',
    );
    const remote = { ...defaultForm(), local: false, profileIds: ['rpi4', 'jetson'] };
    expect(runSummary(1, 2, remote)).toBe('1 variant × 2 targets');
  });

  it('lists predicted against measured with a signed error, then the median', () => {
    const line = estimatorLine({
      rows: [
        { modelName: 'cnn', predictedMs: 2, measuredMs: 2.5, errorPct: -20 },
        { modelName: 'cnn-int8', predictedMs: 1.2, measuredMs: 1, errorPct: 20 },
      ],
      medianAbsErrorPct: 20,
    });
    expect(line).toMatch(/^cnn .+ vs .+ \(-20 %\) · cnn-int8 .+ vs .+ \(\+20 %\) — median error 20 %$/);
    expect(estimatorLine({ rows: [], medianAbsErrorPct: null })).toBe('');
  });
});
