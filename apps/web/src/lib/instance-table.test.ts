import { describe, expect, it } from 'vitest';
import { matchesFilter, parseLabelFilter, sortRows } from './instance-table';

const row = (name: string, over: Record<string, unknown> = {}) => ({
  name,
  template: 'web',
  status: 'running' as const,
  node: 'local',
  restartCount: 0,
  labels: {},
  runningSince: null,
  ...over,
});

describe('the instance table', () => {
  const rows = [
    row('c', { status: 'stopped', restartCount: 2 }),
    row('a', { runningSince: 1000, restartCount: 5 }),
    row('b', { runningSince: 5000, template: 'api' }),
  ];
  const stats = { a: { cpuPercent: 3, memoryBytes: 10 }, b: { cpuPercent: 40, memoryBytes: 5 } };
  const statsOf = (n: string) => stats[n as keyof typeof stats];
  const order = (key: Parameters<typeof sortRows>[1]['key'], dir: 'asc' | 'desc' = 'asc') =>
    sortRows(rows, { key, dir }, statsOf, 10_000).map((r) => r.name);

  it('sorts by each column, with nothing to show (stopped, no sample) last either way', () => {
    expect(order('name')).toEqual(['a', 'b', 'c']);
    expect(order('name', 'desc')).toEqual(['c', 'b', 'a']);
    expect(order('template')).toEqual(['b', 'a', 'c']);
    expect(order('status')).toEqual(['a', 'b', 'c']);
    expect(order('cpu', 'desc')).toEqual(['b', 'a', 'c']);
    expect(order('cpu')).toEqual(['a', 'b', 'c']);
    expect(order('memory')).toEqual(['b', 'a', 'c']);
    expect(order('uptime', 'desc')).toEqual(['a', 'b', 'c']);
    expect(order('restarts', 'desc')).toEqual(['a', 'c', 'b']);
  });

  it('filters by words, labels (k=v or k) and status', () => {
    const r = row('api-1', { labels: { team: 'web', tier: 'front' }, node: 'edge' });
    const f = (o: Partial<{ text: string; labels: string; status: string }>) =>
      matchesFilter(r, { text: '', labels: '', status: '', ...o });
    expect(f({ text: 'EDGE' })).toBe(true);
    expect(f({ text: 'team=web' })).toBe(true);
    expect(f({ text: 'db' })).toBe(false);
    expect(f({ labels: 'team=web tier' })).toBe(true);
    expect(f({ labels: 'team=ops' })).toBe(false);
    expect(f({ labels: 'zone' })).toBe(false);
    expect(f({ status: 'stopped' })).toBe(false);
    expect(parseLabelFilter('a=1, b')).toEqual([
      ['a', '1'],
      ['b', undefined],
    ]);
  });
});
