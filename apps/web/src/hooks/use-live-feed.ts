import { useEffect, useRef, useState } from 'react';
import { isNotAvailable, messageOf } from '../api/api-error';
import { readEventStream } from '../api/event-stream';
import { request } from '../api/http';
import { MIN_POLL_MS } from './use-resource';

export type FeedMode = 'connecting' | 'live' | 'polling' | 'unavailable' | 'error';

export interface FeedOptions<T> {
  /** API path, e.g. `/instances/web-1/logs`; `follow=1` is added for the stream. */
  path: string;
  query: Record<string, string | number | undefined>;
  /** The `since` to ask for when polling, from the newest item seen (undefined: none yet). */
  sinceOf: (latest: T) => number;
  onItems: (items: T[]) => void;
  /** Poll interval when the server cannot stream yet (at least 2 s). */
  pollMs: number;
  enabled?: boolean;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * Follows a feed as Server-Sent Events; when the server answers with a plain list instead (no
 * follow yet) it polls with `since` no faster than every 2 s; a missing route shows as
 * `unavailable`, never as an error.
 */
export function useLiveFeed<T>(opts: FeedOptions<T>): { mode: FeedMode; error: string | undefined } {
  const [mode, setMode] = useState<FeedMode>('connecting');
  const [error, setError] = useState<string>();
  const ref = useRef(opts);
  ref.current = opts;
  const key = JSON.stringify([opts.path, opts.query, opts.enabled ?? true]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key captures path, query and enabled
  useEffect(() => {
    if (ref.current.enabled === false) return;
    const abort = new AbortController();
    const { signal } = abort;
    let latest: T | undefined;
    const deliver = (items: T[]) => {
      if (items.length === 0) return;
      latest = items[items.length - 1];
      ref.current.onItems(items);
    };
    const run = async () => {
      setMode('connecting');
      while (!signal.aborted) {
        try {
          const { path, query } = ref.current;
          const since = latest === undefined ? query.since : ref.current.sinceOf(latest);
          const outcome = await readEventStream(
            path,
            { ...query, since, follow: 1 },
            (data) => {
              setMode('live');
              setError(undefined);
              deliver([data as T]);
            },
            signal,
          );
          if (outcome.kind === 'not-a-stream') {
            deliver(Array.isArray(outcome.body) ? (outcome.body as T[]) : []);
            setMode('polling');
            setError(undefined);
            await poll();
            return;
          }
          await sleep(MIN_POLL_MS, signal); // the stream ended: reconnect calmly
        } catch (err) {
          if (signal.aborted) return;
          if (isNotAvailable(err)) {
            setMode('unavailable');
            return;
          }
          setMode('error');
          setError(messageOf(err));
          await sleep(5000, signal);
        }
      }
    };
    const poll = async () => {
      const { path, query, pollMs } = ref.current;
      while (!signal.aborted) {
        await sleep(Math.max(MIN_POLL_MS, pollMs), signal);
        if (signal.aborted) return;
        if (document.visibilityState !== 'visible') continue;
        try {
          const since = latest === undefined ? query.since : ref.current.sinceOf(latest);
          const body = await request<unknown>('GET', path, { query: { ...query, since }, signal });
          deliver(Array.isArray(body) ? (body as T[]) : []);
          setMode('polling');
          setError(undefined);
        } catch (err) {
          if (signal.aborted) return;
          setError(messageOf(err));
        }
      }
    };
    void run();
    return () => abort.abort();
  }, [key]);

  return { mode, error };
}
