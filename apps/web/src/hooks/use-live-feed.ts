import { useEffect, useRef, useState } from 'react';
import { isNotAvailable, messageOf } from '../api/api-error';
import { isUnreachable } from '../api/connection';
import { readEventStream } from '../api/event-stream';
import { request } from '../api/http';
import { MIN_POLL_MS } from './use-resource';

export type FeedMode = 'connecting' | 'live' | 'polling' | 'unavailable' | 'error';

export interface FeedOptions<T> {
  /** API path, e.g. `/instances/web-1/logs`; `follow=1` is added for the stream. */
  path: string;
  query: Record<string, string | number | undefined>;
  /** Extra query when resuming after items were seen: reconnecting the stream, or polling. */
  resume: (latest: T, how: 'stream' | 'poll') => Record<string, string | number | undefined>;
  /** `stream`: items as they happen; `snapshot`: a whole answer of the plain (non-follow) endpoint. */
  onItems: (items: T[], source: 'stream' | 'snapshot') => void;
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
    const deliver = (items: T[], source: 'stream' | 'snapshot') => {
      if (items.length === 0) return;
      latest = items[items.length - 1];
      ref.current.onItems(items, source);
    };
    const queryFor = (how: 'stream' | 'poll') => {
      const { query, resume } = ref.current;
      return latest === undefined ? query : { ...query, ...resume(latest, how) };
    };
    const run = async () => {
      setMode('connecting');
      while (!signal.aborted) {
        try {
          const outcome = await readEventStream(
            ref.current.path,
            { ...queryFor('stream'), follow: 1 },
            (data) => {
              setMode('live');
              setError(undefined);
              deliver([data as T], 'stream');
            },
            signal,
          );
          if (outcome.kind === 'not-a-stream') {
            deliver(Array.isArray(outcome.body) ? (outcome.body as T[]) : [], 'snapshot');
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
          // readEventStream has already noted whether the server answered the request; a stream
          // that broke after it did says nothing yet — the reconnect below finds out
          setMode('error');
          // a server that does not answer is said once, by the app's banner
          setError(isUnreachable(err) ? undefined : messageOf(err));
          await sleep(isUnreachable(err) ? MIN_POLL_MS : 5000, signal);
        }
      }
    };
    const poll = async () => {
      const { path, pollMs } = ref.current;
      while (!signal.aborted) {
        await sleep(Math.max(MIN_POLL_MS, pollMs), signal);
        if (signal.aborted) return;
        if (document.visibilityState !== 'visible') continue;
        try {
          const body = await request<unknown>('GET', path, { query: queryFor('poll'), signal });
          deliver(Array.isArray(body) ? (body as T[]) : [], 'snapshot');
          setMode('polling');
          setError(undefined);
        } catch (err) {
          if (signal.aborted) return;
          setError(isUnreachable(err) ? undefined : messageOf(err));
        }
      }
    };
    void run();
    return () => abort.abort();
  }, [key]);

  return { mode, error };
}
