import { describe, expect, it } from 'vitest';
import { curvePoints } from './curve-points';

describe('curvePoints', () => {
  it('keeps every epoch of a short run, the fidelity curve possibly shorter', () => {
    expect(curvePoints([3, 2, 1], [0.9, 0.95])).toEqual([
      { epoch: 1, loss: 3, fidelity: 0.9 },
      { epoch: 2, loss: 2, fidelity: 0.95 },
      { epoch: 3, loss: 1, fidelity: null },
    ]);
  });

  it('thins a long run to evenly spaced epochs and always keeps the last', () => {
    const loss = Array.from({ length: 1001 }, (_, i) => 1000 - i);
    const points = curvePoints(loss, [], 100);
    expect(points.length).toBeLessThanOrEqual(101);
    expect(points.length).toBeGreaterThan(50);
    expect(points[0]).toEqual({ epoch: 1, loss: 1000, fidelity: null });
    expect(points.at(-1)).toEqual({ epoch: 1001, loss: 0, fidelity: null });
    const gaps = new Set(points.slice(1, -1).map((p, i) => p.epoch - (points[i]?.epoch ?? 0)));
    expect(gaps).toEqual(new Set([11]));
  });
});
