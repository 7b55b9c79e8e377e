const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB"; null → "-". */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${BYTE_UNITS[u]}`;
}

export function formatPercent(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : `${n.toFixed(1)}%`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** Values as a one-line bar chart, scaled between their min and max (flat: the lowest bar). */
export function sparkline(values: number[], width = 40): string {
  const v = values.slice(-width);
  if (v.length === 0) return '';
  const min = Math.min(...v);
  const span = Math.max(...v) - min;
  return v.map((x) => BARS[span === 0 ? 0 : Math.round(((x - min) / span) * (BARS.length - 1))]).join('');
}

/** "04:25:34" for today, else the date and time, in local time. */
export function formatTime(ts: number, now = Date.now()): string {
  const d = new Date(ts);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  const time = d.toTimeString().slice(0, 8);
  return sameDay ? time : `${d.toISOString().slice(0, 10)} ${time}`;
}

/** How long something has run, in its two largest units: "45s", "12m 5s", "3h 12m", "2d 4h". */
export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}
