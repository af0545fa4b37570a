import { describe, expect, it } from 'vitest';
import { axisPosition, fidelityScale, latencyAxis, ninesLabel } from './fidelity-scale';

describe('fidelity scale', () => {
  it('plots cosine as 1 − cos on whole decades, labelled in nines, the exact row above the best', () => {
    const s = fidelityScale('cosine', [0.999999, 0.9985, 0.99995], 0.999);
    expect(s.kind).toBe('log');
    expect(s.reversed).toBe(true);
    expect(s.ticks).toEqual([1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2]);
    expect(s.ticks.map(s.tick)).toEqual(['exact', '0.999999', '0.99999', '0.9999', '0.999', '0.99']);
    expect(s.domain).toEqual([4e-8, 1e-2]);
    expect(s.plot(0.9985)).toBeCloseTo(0.0015, 10);
    expect(s.plot(1, true)).toBe(1e-7);
    expect(s.goal).toBeCloseTo(1e-3, 12);
    expect(s.title).toMatch(/log scale of 1 − cos/);
  });

  it('never plots a cosine above 1: rounding noise sits at the floor, below the exact row', () => {
    const s = fidelityScale('cosine', [1.0000005, 0.99], 0.999);
    expect(s.plot(1.0000005)).toBe(1e-9);
    expect(s.ticks[0]).toBe(1e-10);
    expect(s.tick(1e-10)).toBe('exact');
    expect(s.ticks.at(-1)).toBe(1e-2);
  });

  it('keeps at least one decade between the best variant and the bottom', () => {
    const s = fidelityScale('cosine', [], 0.999);
    expect(s.ticks).toEqual([1e-4, 1e-3, 1e-2]);
  });

  it('plots SQNR on whole-dB round steps with the exact reference one step above', () => {
    const s = fidelityScale('sqnr', [62, 24], 30);
    expect(s.kind).toBe('linear');
    expect(s.reversed).toBe(false);
    expect(s.ticks).toEqual([20, 30, 40, 50, 60, 70, 80]);
    expect(s.ticks.map(s.tick)).toEqual(['20 dB', '30 dB', '40 dB', '50 dB', '60 dB', '70 dB', 'exact']);
    expect(s.plot(Number.POSITIVE_INFINITY)).toBe(80);
    expect(s.plot(0, true)).toBe(80);
    expect(s.goal).toBe(30);
  });

  it('plots top-1 agreement in percent, never above 100 %, ticks with the same decimals', () => {
    const s = fidelityScale('top1', [0.97, 1], 0.99);
    expect(s.ticks).toEqual([0.97, 0.98, 0.99, 1]);
    expect(s.plot(1.2)).toBe(1);
    expect(s.ticks.map(s.tick)).toEqual(['97 %', '98 %', '99 %', '100 %']);
    const fine = fidelityScale('top1', [0.9995], 0.999);
    expect(new Set(fine.ticks.map((t) => fine.tick(t).split('.')[1]?.length)).size).toBe(1);
  });

  it('names decades in nines', () => {
    expect(ninesLabel(1e-1)).toBe('0.9');
    expect(ninesLabel(1e-4)).toBe('0.9999');
    expect(ninesLabel(1)).toBe('0');
  });

  it('places values along the axis with better up', () => {
    const cos = fidelityScale('cosine', [0.999], 0.999);
    expect(axisPosition(cos, cos.domain[0])).toBeCloseTo(1);
    expect(axisPosition(cos, cos.plot(1, true))).toBeLessThan(1);
    expect(axisPosition(cos, cos.domain[1])).toBeCloseTo(0);
    const sqnr = fidelityScale('sqnr', [20, 40], 30);
    expect(axisPosition(sqnr, sqnr.domain[0])).toBeCloseTo(0);
    expect(axisPosition(sqnr, 30)).toBeGreaterThan(0);
  });
});

describe('latency axis', () => {
  it('runs from 0 on round steps with one unit and the same decimals on every tick', () => {
    const a = latencyAxis([0.8, 3.1]);
    expect(a.unit).toBe('ms');
    expect(a.ticks).toEqual([0, 1, 2, 3, 4]);
    expect(a.ticks.map(a.tick)).toEqual(['0', '1', '2', '3', '4']);
    const fine = latencyAxis([1.2, 1.9]);
    expect(fine.ticks.map(fine.tick)).toEqual(['0.0', '0.5', '1.0', '1.5', '2.0']);
  });

  it('switches to µs when everything is under a millisecond', () => {
    const a = latencyAxis([0.12, 0.31]);
    expect(a.unit).toBe('µs');
    expect(a.ticks.map(a.tick)).toEqual(['0', '100', '200', '300', '400']);
  });
});
