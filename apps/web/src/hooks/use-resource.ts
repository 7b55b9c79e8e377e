import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, isNotAvailable, messageOf } from '../api/api-error';
import { isUnreachable } from '../api/connection';

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
  /** The thing itself does not exist (a 404 that is not a missing route): polling stops. */
  missing: boolean;
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
  const [missing, setMissing] = useState(false);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new key means new data to load
  useEffect(() => {
    setData(undefined);
    setLoading(true);
    setNotAvailable(false);
    setMissing(false);
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
        setMissing(false);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        if (isNotAvailable(err)) setNotAvailable(true);
        else if (err instanceof ApiError && err.status === 404) setMissing(true);
        // a server that does not answer is said once, by the app's banner; the last data stays
        else if (isUnreachable(err)) setError(undefined);
        else setError(messageOf(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [tick, key]);

  useEffect(() => {
    if (!intervalMs || notAvailable || missing) return;
    const every = Math.max(MIN_POLL_MS, intervalMs);
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, every);
    return () => clearInterval(timer);
  }, [intervalMs, notAvailable, missing]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, notAvailable, missing, loading, reload };
}
