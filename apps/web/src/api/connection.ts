import { useSyncExternalStore } from 'react';

/**
 * Whether berth's server answers at all, learned from every request the UI makes: a request that
 * cannot reach it (a network error, or a 502/503/504 from a proxy in front) marks it down; any
 * answer marks it up again. One place knows, so the page shows one banner instead of one error per
 * panel, greys its live data and disables actions while it is down.
 */
let down = false;
const listeners = new Set<() => void>();

function set(value: boolean): void {
  if (down === value) return;
  down = value;
  for (const fn of listeners) fn();
}

export function markServerDown(): void {
  set(true);
}

export function markServerUp(): void {
  set(false);
}

/**
 * True for the failures that mean "the server did not answer", not "it answered no". A 502/503/504
 * in berth's own error envelope (a Docker engine or the disk being unavailable) is berth answering,
 * so only one without it — from a proxy in front — counts: its code is the `HTTP_<status>` that
 * `errorFrom` gives a body it cannot read.
 */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof TypeError) return true;
  const { status, code } = (err ?? {}) as { status?: unknown; code?: unknown };
  if (status !== 502 && status !== 503 && status !== 504) return false;
  return code === undefined || code === `HTTP_${status}`;
}

/** Notes a request's outcome: call with the thrown error, or with nothing when it was answered. */
export function noteOutcome(err?: unknown): void {
  if (err === undefined) markServerUp();
  else if (isUnreachable(err)) markServerDown();
  else markServerUp();
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function useServerDown(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => down,
    () => false,
  );
}
