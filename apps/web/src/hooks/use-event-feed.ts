import { useCallback, useRef, useState } from 'react';
import type { BerthEvent } from '../api/types';
import { type FeedMode, useLiveFeed } from './use-live-feed';

/** Recent events (newest first), followed live; `onEvent` lets a page refresh what changed. */
export function useEventFeed(
  opts: { instance?: string; keep?: number; onEvent?: (e: BerthEvent) => void; enabled?: boolean } = {},
): { events: BerthEvent[]; mode: FeedMode; error: string | undefined } {
  const [events, setEvents] = useState<BerthEvent[]>([]);
  const seen = useRef(new Set<number>());
  const onEventRef = useRef(opts.onEvent);
  onEventRef.current = opts.onEvent;
  const keep = opts.keep ?? 50;

  const onItems = useCallback(
    (items: BerthEvent[]) => {
      const fresh = items.filter((e) => !seen.current.has(e.id));
      if (fresh.length === 0) return;
      for (const e of fresh) {
        seen.current.add(e.id);
        onEventRef.current?.(e);
      }
      setEvents((prev) => [...fresh.reverse(), ...prev].sort((a, b) => b.ts - a.ts).slice(0, keep));
    },
    [keep],
  );

  const { mode, error } = useLiveFeed<BerthEvent>({
    path: '/events',
    query: { instance: opts.instance, limit: keep },
    // the stream is oldest first, so the last one seen has the highest id
    resume: (e) => ({ after: e.id }),
    onItems,
    pollMs: 5000,
    enabled: opts.enabled ?? true,
  });
  return { events, mode, error };
}
