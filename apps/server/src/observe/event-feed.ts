import type { BerthEvent, EventBus, EventQuery, Store } from '@berth/core';
import { AsyncQueue } from './async-queue.js';

export interface EventFeedQuery {
  instanceId?: string | undefined;
  /** Events at or after this time. */
  sinceTs?: number | undefined;
  /** Events after this id. */
  afterId?: number | undefined;
  /** Without since/after: how many recent events (default 100). */
  limit?: number | undefined;
}

/** The stored events a query asks for, oldest first. */
export function listEvents(store: Store, q: EventFeedQuery): BerthEvent[] {
  const query: EventQuery = {};
  if (q.instanceId !== undefined) query.instanceId = q.instanceId;
  if (q.sinceTs !== undefined) query.sinceTs = q.sinceTs;
  if (q.afterId !== undefined) query.sinceId = q.afterId;
  const bounded = q.sinceTs !== undefined || q.afterId !== undefined;
  query.limit = q.limit ?? (bounded ? 10_000 : 100);
  return store.events.list(query);
}

/**
 * Stored events, then live ones as they happen, until the signal aborts. The subscription is
 * taken before the store is read (both synchronous), so no event falls between, and none repeats.
 */
export async function* followEvents(
  d: { store: Store; events: EventBus },
  q: EventFeedQuery,
  signal: AbortSignal,
): AsyncGenerator<BerthEvent> {
  const queue = new AsyncQueue<BerthEvent>(signal);
  const unsubscribe = d.events.subscribe((e) => {
    if (q.instanceId === undefined || e.instanceId === q.instanceId) queue.push(e);
  });
  try {
    const backlog = listEvents(d.store, q);
    let last = q.afterId ?? 0;
    for (const e of backlog) {
      last = Math.max(last, e.id);
      yield e;
    }
    for await (const e of queue.drain()) if (e.id > last) yield e;
  } finally {
    unsubscribe();
  }
}
