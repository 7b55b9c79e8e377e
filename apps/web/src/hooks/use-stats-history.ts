import { useEffect, useRef, useState } from 'react';
import { api } from '../api/api';
import { isNotAvailable } from '../api/api-error';
import type { StatsSample } from '../api/types';
import type { StatsShares } from '../components/replica-shares';

/** Whether this server has the stats endpoint: learned once, so cards do not each probe it. */
let statsAvailable: boolean | undefined;

export interface StatsHistory {
  samples: StatsSample[];
  notAvailable: boolean;
  /** From the latest answer: whether the sum is partial and why, and each replica's share. */
  shares: StatsShares | null;
}

/**
 * Resource samples of one instance, refreshed every `intervalMs` (≥ 2 s) with `since`: the last
 * `keep` samples, or with `rangeMs` those of that last stretch of time (a new range loads anew).
 */
export function useStatsHistory(
  instance: string,
  opts: { intervalMs?: number; keep?: number; enabled?: boolean; rangeMs?: number } = {},
) {
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [notAvailable, setNotAvailable] = useState(statsAvailable === false);
  const [shares, setShares] = useState<StatsShares | null>(null);
  const latest = useRef<number | undefined>(undefined);
  const keep = opts.keep ?? 60;
  const every = Math.max(2000, opts.intervalMs ?? 5000);
  const enabled = opts.enabled ?? true;
  const rangeMs = opts.rangeMs;

  // biome-ignore lint/correctness/useExhaustiveDependencies: another instance or range starts anew
  useEffect(() => {
    latest.current = undefined;
    setSamples([]);
    setShares(null);
  }, [instance, rangeMs]);

  useEffect(() => {
    if (!enabled || statsAvailable === false) return;
    let live = true;
    const load = async () => {
      if (document.visibilityState !== 'visible' && latest.current !== undefined) return;
      try {
        const since =
          latest.current !== undefined
            ? latest.current + 1
            : rangeMs !== undefined
              ? Date.now() - rangeMs
              : undefined;
        const view = await api.statsView(instance, since);
        const fresh = view.samples;
        statsAvailable = true;
        if (!live) return;
        setShares({ partial: view.partial, reason: view.reason, replicas: view.replicas });
        if (fresh.length === 0) return;
        latest.current = fresh[fresh.length - 1]?.ts;
        const oldest = rangeMs === undefined ? undefined : Date.now() - rangeMs;
        setSamples((prev) => {
          const all = [...prev, ...fresh];
          return oldest === undefined ? all.slice(-keep) : all.filter((x) => x.ts >= oldest);
        });
      } catch (err) {
        if (isNotAvailable(err)) {
          statsAvailable = false;
          if (live) setNotAvailable(true);
        }
      }
    };
    void load();
    const timer = setInterval(() => {
      if (statsAvailable !== false) void load();
    }, every);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [instance, every, keep, enabled, rangeMs]);

  return { samples, notAvailable, shares } satisfies StatsHistory;
}
