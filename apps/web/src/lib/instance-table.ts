import type { InstanceView } from '@berth/contracts';

/** The columns the instance table sorts by. */
export const SORT_KEYS = [
  'name',
  'template',
  'status',
  'node',
  'cpu',
  'memory',
  'uptime',
  'restarts',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** The last CPU and memory sample of a running instance. */
export interface LatestStats {
  cpuPercent: number | null;
  memoryBytes: number | null;
}

/** What the table filters by: words (name, template, node, a label), labels `k=v`, a status. */
export interface InstanceFilter {
  text: string;
  /** `team=web tier=db` or `team` (has the label): every one must match. */
  labels: string;
  status: string;
}

type Row = Pick<InstanceView, 'name' | 'template' | 'status' | 'node' | 'restartCount'> & {
  labels?: Record<string, string> | undefined;
  runningSince?: number | null | undefined;
};

/** Running instances first in a status sort, then those on their way, then the rest. */
const STATUS_ORDER = [
  'running',
  'deploying',
  'pending',
  'stopping',
  'error',
  'unreachable',
  'stopped',
  'external',
];

/** The value a column sorts by; null (no sample, not running) sorts last either way. */
export function sortValue(
  i: Row,
  key: SortKey,
  stats: LatestStats | undefined,
  now: number,
): string | number | null {
  switch (key) {
    case 'cpu':
      return i.status === 'running' ? (stats?.cpuPercent ?? null) : null;
    case 'memory':
      return i.status === 'running' ? (stats?.memoryBytes ?? null) : null;
    case 'uptime':
      return i.runningSince != null ? now - i.runningSince : null;
    case 'restarts':
      return i.restartCount;
    case 'status':
      return STATUS_ORDER.indexOf(i.status);
    default:
      return i[key];
  }
}

/** The rows in the sort's order; ties by name, so the order holds still between polls. */
export function sortRows<T extends Row>(
  rows: readonly T[],
  sort: Sort,
  statsOf: (name: string) => LatestStats | undefined,
  now: number,
): T[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, sort.key, statsOf(a.name), now);
    const y = sortValue(b, sort.key, statsOf(b.name), now);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) {
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      if (c !== 0) return c * sign;
    }
    return a.name.localeCompare(b.name);
  });
}

/** `team=web tier` → [['team', 'web'], ['tier', undefined]]. */
export function parseLabelFilter(text: string): [string, string | undefined][] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [part, undefined] : [part.slice(0, eq), part.slice(eq + 1)];
    });
}

/** Whether a row passes the filter: status, every label asked for, and the words anywhere. */
export function matchesFilter(i: Row, f: InstanceFilter): boolean {
  if (f.status && i.status !== f.status) return false;
  const labels = i.labels ?? {};
  for (const [k, v] of parseLabelFilter(f.labels)) {
    if (!(k in labels) || (v !== undefined && labels[k] !== v)) return false;
  }
  const needle = f.text.trim().toLowerCase();
  if (!needle) return true;
  const words = [
    i.name,
    i.template,
    i.status,
    i.node,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ];
  return words.some((w) => w.toLowerCase().includes(needle));
}
