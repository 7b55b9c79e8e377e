import { niceCeiling } from '../lib/scale';

/** A tiny line of recent values (inline SVG, 0..max scaled to the box; max defaults to a round ceiling). */
export function Sparkline({
  values,
  max,
  label,
  width = 120,
  height = 28,
}: {
  values: number[];
  max?: number;
  label: string;
  width?: number;
  height?: number;
}) {
  const top = max ?? niceCeiling(Math.max(...values, 0));
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / top) * (height - 2)).toFixed(1)}`,
  );
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} className="sparkline-base" />
      {values.length > 1 ? <polyline points={points.join(' ')} className="sparkline-line" /> : null}
    </svg>
  );
}
