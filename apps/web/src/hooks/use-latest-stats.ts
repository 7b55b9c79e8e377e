import { useEffect, useState } from 'react';
import { api } from '../api/api';
import type { LatestStats } from '../lib/instance-table';

/**
 * The last CPU and memory sample of each running instance named, every `everyMs`: what the table
 * shows and sorts by. An instance without a sample (or a server without stats) has none.
 */
export function useLatestStats(running: readonly string[], everyMs = 5000): Record<string, LatestStats> {
  const [latest, setLatest] = useState<Record<string, LatestStats>>({});
  const key = [...running].sort().join('\n');
  useEffect(() => {
    const names = key ? key.split('\n') : [];
    let live = true;
    const load = async () => {
      if (document.visibilityState !== 'visible') return;
      const since = Date.now() - 60_000;
      const pairs = await Promise.all(
        names.map(async (n) => {
          const samples = await api.stats(n, since).catch(() => []);
          const last = samples[samples.length - 1];
          return [
            n,
            { cpuPercent: last?.cpuPercent ?? null, memoryBytes: last?.memoryBytes ?? null },
          ] as const;
        }),
      );
      if (live) setLatest(Object.fromEntries(pairs));
    };
    void load();
    const t = setInterval(() => void load(), everyMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [key, everyMs]);
  return latest;
}
