import { useCallback, useEffect, useRef, useState } from 'react';
import type { LogLineView } from '../api/types';
import { newLines } from '../lib/log-merge';
import { type FeedMode, useLiveFeed } from './use-live-feed';

/** Lines kept in the browser: the view renders only those in sight, so many cost little. */
const KEEP = 20_000;

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

/** The last 200 lines of an instance, then every new one; pausing freezes the view, not the feed. */
export function useLogFollow(instance: string): LogFollow {
  const [lines, setLines] = useState<LogEntry[]>([]);
  const [paused, setPausedState] = useState(false);
  const [held, setHeld] = useState(0);
  const buffer = useRef<LogEntry[]>([]);
  const seq = useRef(0);
  const known = useRef(new Map<string, string[]>());
  const pausedRef = useRef(false);
  const frame = useRef(0);
  const heldNow = useRef(0);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  // A burst of lines (hundreds a second) is one render per animation frame, not one per line.
  const onItems = useCallback((items: LogLineView[], source: 'stream' | 'snapshot') => {
    // a stream sends each line once; snapshots (plain GETs) repeat the tail and are merged
    const lines = source === 'snapshot' ? newLines(known.current, items) : items;
    if (lines.length === 0) return;
    for (const l of lines) buffer.current.push({ ...l, seq: seq.current++ });
    // frames do not run in a hidden tab: trim here too
    if (buffer.current.length > 2 * KEEP) buffer.current = buffer.current.slice(-KEEP);
    if (pausedRef.current) heldNow.current += lines.length;
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (buffer.current.length > KEEP) buffer.current = buffer.current.slice(-KEEP);
      if (pausedRef.current) setHeld(heldNow.current);
      else setLines(buffer.current.slice());
    });
  }, []);

  const { mode, error } = useLiveFeed<LogLineView>({
    path: `/instances/${encodeURIComponent(instance)}/logs`,
    query: { tail: 200 },
    // reconnecting a stream must not repeat the tail; polls ask for the tail and merge it
    resume: (_, how) => (how === 'stream' ? { tail: 0 } : {}),
    onItems,
    pollMs: 2000,
  });

  const setPaused = useCallback((p: boolean) => {
    pausedRef.current = p;
    setPausedState(p);
    if (!p) {
      setLines(buffer.current.slice());
      setHeld(0);
    }
    heldNow.current = 0;
  }, []);

  const clear = useCallback(() => {
    buffer.current = [];
    setLines([]);
    setHeld(0);
    heldNow.current = 0;
  }, []);

  return { lines, mode, error, paused, held, setPaused, clear };
}
