import { useCallback, useEffect, useRef, useState } from 'react';
import { isNotAvailable, messageOf } from '../api/api-error';

/**
 * Never poll (or reconnect) faster than this: the server shares its machine with the workloads it
 * runs and every open tab polls, while live changes arrive over the event stream anyway.
 */
export const MIN_POLL_MS = 2000;

export interface Resource<T> {
  data: T | undefined;
  /** The server's message when the last load failed; the previous data stays shown. */
  error: string | undefined;
  /** The endpoint does not exist on this server yet. */
  notAvailable: boolean;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads once per `key`, then again every `intervalMs` (at least 2 s) while mounted and the tab is visible.
 * Keeps the last good data while reloading, so nothing jumps.
 */
export function useResource<T>(load: () => Promise<T>, key: string, intervalMs?: number): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [notAvailable, setNotAvailable] = useState(false);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new key means new data to load
  useEffect(() => {
    setData(undefined);
    setLoading(true);
    setNotAvailable(false);
    setError(undefined);
  }, [key]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick and deps trigger a reload
  useEffect(() => {
    let live = true;
    loadRef.current().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        if (isNotAvailable(err)) setNotAvailable(true);
        else setError(messageOf(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [tick, key]);

  useEffect(() => {
    if (!intervalMs || notAvailable) return;
    const every = Math.max(MIN_POLL_MS, intervalMs);
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, every);
    return () => clearInterval(timer);
  }, [intervalMs, notAvailable]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, notAvailable, loading, reload };
}
