import { describe, expect, it } from 'vitest';
import { spreadOffsets } from './chart-spread';

const size = { width: 400, height: 200 };
const moved = (o: { dx: number; dy: number }) => Math.hypot(o.dx, o.dy);

describe('chart spread', () => {
  it('leaves points that stand apart where they are', () => {
    expect(
      spreadOffsets(
        [
          { x: 0.1, y: 0.1 },
          { x: 0.9, y: 0.9 },
        ],
        size,
      ),
    ).toEqual([
      { dx: 0, dy: 0 },
      { dx: 0, dy: 0 },
    ]);
  });

  it('moves coinciding points onto a ring, the first straight up, all visibly apart', () => {
    const points = [
      { x: 0.5, y: 0.5 },
      { x: 0.5, y: 0.5 },
      { x: 0.9, y: 0.1 },
    ];
    const [a, b, c] = spreadOffsets(points, { ...size, minDistance: 10, radius: 9 });
    expect(a!.dx).toBeCloseTo(0);
    expect(a!.dy).toBeCloseTo(-9);
    expect(b!.dx).toBeCloseTo(0);
    expect(b!.dy).toBeCloseTo(9);
    expect(c).toEqual({ dx: 0, dy: 0 });
  });

  it('treats a chain of near points as one cluster and spaces a large cluster at least minDistance apart', () => {
    const points = Array.from({ length: 8 }, (_, i) => ({ x: 0.5 + i * 0.001, y: 0.5 }));
    const offsets = spreadOffsets(points, { ...size, minDistance: 12 });
    expect(offsets.every((o) => moved(o) > 0)).toBe(true);
    const drawn = points.map((p, i) => ({
      x: p.x * size.width + offsets[i]!.dx,
      y: (1 - p.y) * size.height + offsets[i]!.dy,
    }));
    for (let i = 0; i < drawn.length; i++) {
      for (let j = i + 1; j < drawn.length; j++) {
        expect(Math.hypot(drawn[i]!.x - drawn[j]!.x, drawn[i]!.y - drawn[j]!.y)).toBeGreaterThanOrEqual(8.9);
      }
    }
  });

  it('compares distances in pixels, not in plot fractions', () => {
    // 0.02 of a 400 px wide plot is 8 px: close; of a 2000 px wide plot 40 px: apart.
    const points = [
      { x: 0.5, y: 0.5 },
      { x: 0.52, y: 0.5 },
    ];
    expect(spreadOffsets(points, size).some((o) => moved(o) > 0)).toBe(true);
    expect(spreadOffsets(points, { width: 2000, height: 200 }).every((o) => moved(o) === 0)).toBe(true);
  });
});
