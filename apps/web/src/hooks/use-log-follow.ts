import { useCallback, useRef, useState } from 'react';
import type { LogLineView } from '../api/types';
import { type FeedMode, useLiveFeed } from './use-live-feed';

const KEEP = 2000;

/** A line with a number that stays its own while older lines scroll out. */
export type LogEntry = LogLineView & { seq: number };

export interface LogFollow {
  lines: LogEntry[];
  mode: FeedMode;
  error: string | undefined;
  paused: boolean;
  /** Lines that arrived while paused, shown on resume. */
  held: number;
  setPaused: (paused: boolean) => void;
  clear: () => void;
}

const keyOf = (l: LogLineView) => `${l.ts}|${l.stream}|${l.line}`;

/** The last 200 lines of an instance, then every new one; pausing freezes the view, not the feed. */
export function useLogFollow(instance: string): LogFollow {
  const [lines, setLines] = useState<LogEntry[]>([]);
  const [paused, setPausedState] = useState(false);
  const [held, setHeld] = useState(0);
  const buffer = useRef<LogEntry[]>([]);
  const seq = useRef(0);
  const seenAtLast = useRef<{ ts: number; keys: Set<string> }>({ ts: -1, keys: new Set() });
  const pausedRef = useRef(false);

  const onItems = useCallback((items: LogLineView[]) => {
    const fresh: LogEntry[] = [];
    const seen = seenAtLast.current;
    for (const l of items) {
      if (l.ts < seen.ts) continue;
      if (l.ts === seen.ts && seen.keys.has(keyOf(l))) continue;
      if (l.ts > seen.ts) {
        seen.ts = l.ts;
        seen.keys = new Set();
      }
      seen.keys.add(keyOf(l));
      fresh.push({ ...l, seq: seq.current++ });
    }
    if (fresh.length === 0) return;
    buffer.current = [...buffer.current, ...fresh].slice(-KEEP);
    if (pausedRef.current) setHeld((n) => n + fresh.length);
    else setLines(buffer.current);
  }, []);

  const { mode, error } = useLiveFeed<LogLineView>({
    path: `/instances/${encodeURIComponent(instance)}/logs`,
    query: { tail: 200 },
    sinceOf: (l) => l.ts,
    onItems,
    pollMs: 2000,
  });

  const setPaused = useCallback((p: boolean) => {
    pausedRef.current = p;
    setPausedState(p);
    if (!p) {
      setLines(buffer.current);
      setHeld(0);
    }
  }, []);

  const clear = useCallback(() => {
    buffer.current = [];
    setLines([]);
    setHeld(0);
  }, []);

  return { lines, mode, error, paused, held, setPaused, clear };
}
