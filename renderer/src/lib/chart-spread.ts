/**
 * Points of a scatter chart that land on (nearly) the same spot hide each other: the reference and an FP16
 * variant often share both latency and fidelity. This moves each point of such a cluster onto a small ring
 * around the cluster's centre, so every marker (and its number) stays visible; the chart draws a short leader
 * line from the moved marker back to the true position.
 *
 * Positions are given as fractions of the plot (0..1 on each axis, y up) so "close" is about what the eye sees,
 * whatever the axes' units or scales; offsets come back in pixels (y down, as SVG draws).
 */
type PlotPosition = { x: number; y: number };
type SpreadOffset = { dx: number; dy: number };

type SpreadOptions = {
  /** Plot size in pixels, to compare distances as drawn. */
  width: number;
  height: number;
  /** Points closer than this (pixels) count as coinciding. */
  minDistance?: number;
  /** Radius of the ring a cluster is spread on (pixels); grows with the cluster so markers do not touch. */
  radius?: number;
};

/** Offsets (pixels) per point, in input order; {0, 0} for points that stand alone. */
export function spreadOffsets(points: readonly PlotPosition[], options: SpreadOptions): SpreadOffset[] {
  const { width, height, minDistance = 10, radius = 9 } = options;
  const px = points.map((p) => ({ x: p.x * width, y: (1 - p.y) * height }));
  // Union-find over "closer than minDistance": a chain of near points is one cluster.
  const parent = px.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < px.length; i++) {
    for (let j = i + 1; j < px.length; j++) {
      const a = px[i]!;
      const b = px[j]!;
      if (Math.hypot(a.x - b.x, a.y - b.y) < minDistance) parent[find(j)] = find(i);
    }
  }
  const clusters = new Map<number, number[]>();
  px.forEach((_, i) => {
    const root = find(i);
    clusters.set(root, [...(clusters.get(root) ?? []), i]);
  });
  const offsets: SpreadOffset[] = px.map(() => ({ dx: 0, dy: 0 }));
  for (const members of clusters.values()) {
    if (members.length < 2) continue;
    const cx = members.reduce((s, i) => s + px[i]!.x, 0) / members.length;
    const cy = members.reduce((s, i) => s + px[i]!.y, 0) / members.length;
    // Enough circumference for every marker: neighbours on the ring stay at least minDistance apart.
    const ring = Math.max(radius, (minDistance * members.length) / (2 * Math.PI));
    members.forEach((i, k) => {
      // First member straight up, the rest clockwise: a stable, predictable layout.
      const angle = -Math.PI / 2 + (2 * Math.PI * k) / members.length;
      const target = { x: cx + ring * Math.cos(angle), y: cy + ring * Math.sin(angle) };
      offsets[i] = { dx: round(target.x - px[i]!.x), dy: round(target.y - px[i]!.y) };
    });
  }
  return offsets;
}

const round = (x: number) => Math.round(x * 100) / 100;
