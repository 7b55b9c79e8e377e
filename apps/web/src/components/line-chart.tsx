import { formatTime } from '../lib/format';
import { niceCeiling } from '../lib/scale';

export interface ChartPoint {
  ts: number;
  value: number;
}

/** A labelled SVG chart of one series over time; the height is fixed whether or not data exists. */
export function LineChart({
  title,
  points,
  format,
  max,
}: {
  title: string;
  points: ChartPoint[];
  format: (v: number) => string;
  max?: number;
}) {
  const width = 600;
  const height = 160;
  const pad = { left: 8, right: 8, top: 10, bottom: 18 };
  const top = max ?? niceCeiling(Math.max(...points.map((p) => p.value), 0));
  const first = points[0]?.ts ?? 0;
  const span = Math.max(1, (points[points.length - 1]?.ts ?? 1) - first);
  const x = (ts: number) => pad.left + ((ts - first) / span) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - v / top) * (height - pad.top - pad.bottom);
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.ts).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  const last = points[points.length - 1];
  return (
    <figure className="chart">
      <figcaption>
        <span>{title}</span>
        <strong>{last ? format(last.value) : '—'}</strong>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${title} over time`}
      >
        {[0.25, 0.5, 0.75].map((f) => (
          <line
            key={f}
            className="chart-grid"
            x1={pad.left}
            x2={width - pad.right}
            y1={y(top * f)}
            y2={y(top * f)}
          />
        ))}
        <line className="chart-axis" x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} />
        {points.length > 1 ? (
          <>
            <path className="chart-area" d={`${path} L${x(last?.ts ?? 0)},${y(0)} L${x(first)},${y(0)} Z`} />
            <path className="chart-line" d={path} />
          </>
        ) : null}
      </svg>
      <div className="chart-scale">
        <span>{points.length > 1 ? formatTime(first) : 'waiting for samples…'}</span>
        <span>max {format(top)}</span>
      </div>
    </figure>
  );
}
