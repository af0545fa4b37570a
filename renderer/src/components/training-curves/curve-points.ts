export type CurvePoint = { epoch: number; loss: number | null; fidelity: number | null };

/** Most points a curve draws: beyond it the chart redraw costs more than the eye gains. */
export const maxCurvePoints = 120;

/**
 * One point per completed epoch (the fidelity curve may be shorter: no held-out samples), thinned to at most
 * `max` evenly spaced epochs plus the last one once there are more — a run of thousands of tiny epochs redraws
 * its live chart ten times a second, and at every point that kept a busy machine's page from answering.
 */
export function curvePoints(
  lossCurve: readonly number[],
  fidelityCurve: readonly number[],
  max = maxCurvePoints,
): CurvePoint[] {
  const n = Math.max(lossCurve.length, fidelityCurve.length);
  const stride = Math.max(1, Math.ceil(n / max));
  const points: CurvePoint[] = [];
  for (let i = 0; i < n; i++) {
    if (i % stride !== 0 && i !== n - 1) continue;
    points.push({ epoch: i + 1, loss: lossCurve[i] ?? null, fidelity: fidelityCurve[i] ?? null });
  }
  return points;
}
