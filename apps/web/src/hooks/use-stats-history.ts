import { useEffect, useRef, useState } from 'react';
import { api } from '../api/api';
import { isNotAvailable } from '../api/api-error';
import type { StatsSample } from '../api/types';

/** Whether this server has the stats endpoint: learned once, so cards do not each probe it. */
let statsAvailable: boolean | undefined;

export interface StatsHistory {
  samples: StatsSample[];
  notAvailable: boolean;
}

/** Resource samples of one instance, refreshed every `intervalMs` (≥ 2 s) with `since`. */
export function useStatsHistory(
  instance: string,
  opts: { intervalMs?: number; keep?: number; enabled?: boolean } = {},
) {
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [notAvailable, setNotAvailable] = useState(statsAvailable === false);
  const latest = useRef<number | undefined>(undefined);
  const keep = opts.keep ?? 60;
  const every = Math.max(2000, opts.intervalMs ?? 5000);
  const enabled = opts.enabled ?? true;

  useEffect(() => {
    if (!enabled || statsAvailable === false) return;
    let live = true;
    const load = async () => {
      if (document.visibilityState !== 'visible' && latest.current !== undefined) return;
      try {
        const since = latest.current === undefined ? undefined : latest.current + 1;
        const fresh = await api.stats(instance, since);
        statsAvailable = true;
        if (!live || fresh.length === 0) return;
        latest.current = fresh[fresh.length - 1]?.ts;
        setSamples((prev) => [...prev, ...fresh].slice(-keep));
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
  }, [instance, every, keep, enabled]);

  return { samples, notAvailable } satisfies StatsHistory;
}
