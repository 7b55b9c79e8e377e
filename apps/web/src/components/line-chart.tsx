import { useState } from 'react';
import { formatTime } from '../lib/format';
import { niceTicks } from '../lib/scale';

export interface ChartPoint {
  ts: number;
  value: number;
}

const WIDTH = 600;
const HEIGHT = 160;
const PAD = { top: 8, bottom: 4 };

/**
 * A labelled SVG chart of one series over [from, to]: the value axis scales to the data with round
 * ticks (a CPU around 2 % is not a flat line at the bottom of 0–100 %), hovering shows a sample's
 * time and value. `current` is the caption's value: undefined shows "—" (a stopped instance's last
 * sample is not its current use). The height is fixed whether or not data exists.
 */
export function LineChart({
  title,
  points,
  format,
  from,
  to,
  current,
  bytes = false,
}: {
  title: string;
  points: ChartPoint[];
  format: (v: number) => string;
  from: number;
  to: number;
  current: number | undefined;
  bytes?: boolean;
}) {
  const [hover, setHover] = useState<number>();
  const ticks = niceTicks(Math.max(...points.map((p) => p.value), 0), { bytes });
  const top = ticks[ticks.length - 1] ?? 1;
  const span = Math.max(1, to - from);
  const fx = (ts: number) => (ts - from) / span;
  const fy = (v: number) => (PAD.top + (1 - v / top) * (HEIGHT - PAD.top - PAD.bottom)) / HEIGHT;
  const path = points
    .map(
      (p, i) => `${i === 0 ? 'M' : 'L'}${(fx(p.ts) * WIDTH).toFixed(1)},${(fy(p.value) * HEIGHT).toFixed(1)}`,
    )
    .join(' ');
  const first = points[0];
  const last = points[points.length - 1];
  const shown = hover === undefined ? undefined : points[hover];

  const onMove = (e: React.PointerEvent<HTMLDivElement>) => {
    if (points.length === 0) return;
    const box = e.currentTarget.getBoundingClientRect();
    const ts = from + ((e.clientX - box.left) / Math.max(1, box.width)) * span;
    let best = 0;
    for (let i = 1; i < points.length; i++) {
      if (Math.abs((points[i]?.ts ?? 0) - ts) < Math.abs((points[best]?.ts ?? 0) - ts)) best = i;
    }
    setHover(best);
  };

  return (
    <figure className="chart" data-chart={title}>
      <figcaption>
        <span>{title}</span>
        <strong data-current>{current === undefined ? '—' : format(current)}</strong>
      </figcaption>
      <div className="chart-plot" onPointerMove={onMove} onPointerLeave={() => setHover(undefined)}>
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`${title} from ${formatTime(from)} to ${formatTime(to)}, up to ${format(top)}`}
        >
          {ticks.map((t) => (
            <line
              key={t}
              className={t === 0 ? 'chart-axis' : 'chart-grid'}
              x1={0}
              x2={WIDTH}
              y1={fy(t) * HEIGHT}
              y2={fy(t) * HEIGHT}
            />
          ))}
          {points.length > 1 && first && last ? (
            <>
              <path
                className="chart-area"
                d={`${path} L${fx(last.ts) * WIDTH},${fy(0) * HEIGHT} L${fx(first.ts) * WIDTH},${fy(0) * HEIGHT} Z`}
              />
              <path className="chart-line" d={path} />
            </>
          ) : null}
          {shown ? (
            <line
              className="chart-cursor"
              x1={fx(shown.ts) * WIDTH}
              x2={fx(shown.ts) * WIDTH}
              y1={0}
              y2={HEIGHT}
            />
          ) : null}
        </svg>
        {ticks.slice(1).map((t) => (
          <span key={t} className="chart-tick" style={{ top: `${fy(t) * 100}%` }}>
            {format(t)}
          </span>
        ))}
        {shown ? (
          <span
            className="chart-tip"
            role="status"
            style={{ left: `${fx(shown.ts) * 100}%`, top: `${fy(shown.value) * 100}%` }}
            data-align={fx(shown.ts) > 0.6 ? 'left' : 'right'}
          >
            {formatTime(shown.ts)} · <strong>{format(shown.value)}</strong>
          </span>
        ) : null}
      </div>
      <div className="chart-scale">
        <span>{formatTime(from)}</span>
        <span>{points.length > 1 ? '' : 'waiting for samples…'}</span>
        <span>{formatTime(to)}</span>
      </div>
    </figure>
  );
}
