import { useMemo } from 'react';
import { usePlotArea, useXAxisScale, useYAxisScale } from 'recharts';
import { spreadOffsets } from '../../lib/chart-spread';

/**
 * The points of a scatter chart drawn so it reads without hovering: each with its number (the key table beside
 * the chart says which variant it is), coinciding points spread apart with a leader line back to the true
 * spot, and the reference drawn last (on top) as a distinct diamond. Rendered as a child of a recharts chart,
 * it places points with the chart's own axis scales.
 */
export type NumberedPoint = {
  key: string;
  /** The label drawn beside the marker: the row number in the key table, or the candidate's id. */
  label: string;
  x: number;
  y: number;
  mark: 'good' | 'bad' | 'reference';
  ringed?: boolean;
  /** Native SVG tooltip (hover), for those who want it; the key table has the same words. */
  title: string;
  /** data-* attributes for tests and styling. */
  data?: Record<string, string | boolean>;
};

export const pointColors = {
  good: 'var(--mantine-color-teal-7)',
  bad: 'var(--mantine-color-gray-6)',
  reference: 'var(--mantine-color-blue-7)',
  ring: 'var(--mantine-color-orange-7)',
  label: 'var(--mantine-color-text)',
  halo: 'var(--mantine-color-body)',
};

function Marker({ mark, x, y }: { mark: NumberedPoint['mark']; x: number; y: number }) {
  if (mark === 'reference') {
    const r = 7;
    return (
      <polygon
        points={`${x},${y - r} ${x + r},${y} ${x},${y + r} ${x - r},${y}`}
        fill={pointColors.reference}
        stroke={pointColors.halo}
        strokeWidth={1.5}
      />
    );
  }
  // Good points are filled circles, the others hollow squares: told apart without colour too.
  return mark === 'good' ? (
    <circle cx={x} cy={y} r={5} fill={pointColors.good} stroke={pointColors.halo} strokeWidth={1} />
  ) : (
    <rect
      x={x - 4}
      y={y - 4}
      width={8}
      height={8}
      fill={pointColors.halo}
      stroke={pointColors.bad}
      strokeWidth={2}
    />
  );
}

export function NumberedPoints({ points }: { points: readonly NumberedPoint[] }) {
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  const area = usePlotArea();
  const placed = useMemo(() => {
    if (!xScale || !yScale || !area) return [];
    const at = points.map((p) => ({ point: p, x: Number(xScale(p.x)), y: Number(yScale(p.y)) }));
    const offsets = spreadOffsets(
      at.map(({ x, y }) => ({
        x: (x - area.x) / (area.width || 1),
        y: 1 - (y - area.y) / (area.height || 1),
      })),
      { width: area.width, height: area.height, minDistance: 12, radius: 10 },
    );
    // The reference last: drawn on top of anything it coincides with.
    return at
      .map((a, i) => ({ ...a, dx: offsets[i]?.dx ?? 0, dy: offsets[i]?.dy ?? 0 }))
      .sort((a, b) => Number(a.point.mark === 'reference') - Number(b.point.mark === 'reference'));
  }, [points, xScale, yScale, area]);
  return (
    <g className="numbered-points">
      {placed.map(({ point, x, y, dx, dy }) => {
        if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
        const px = x + dx;
        const py = y + dy;
        const dataAttrs = Object.fromEntries(
          Object.entries(point.data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]),
        );
        return (
          <g key={point.key} {...dataAttrs} data-spread={dx !== 0 || dy !== 0}>
            <title>{point.title}</title>
            {(dx !== 0 || dy !== 0) && (
              <>
                <line x1={x} y1={y} x2={px} y2={py} stroke={pointColors.bad} strokeWidth={1} />
                <circle cx={x} cy={y} r={1.5} fill={pointColors.bad} />
              </>
            )}
            {point.ringed && (
              <circle cx={px} cy={py} r={10} fill="none" stroke={pointColors.ring} strokeWidth={2} />
            )}
            <Marker mark={point.mark} x={px} y={py} />
            <text
              x={px + 9}
              y={py - 7}
              fontSize={11}
              fontWeight={600}
              fill={pointColors.label}
              stroke={pointColors.halo}
              strokeWidth={3}
              paintOrder="stroke"
            >
              {point.label}
            </text>
          </g>
        );
      })}
    </g>
  );
}
