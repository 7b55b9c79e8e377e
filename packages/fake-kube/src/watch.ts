import type { ServerResponse } from 'node:http';
import { matches, type ObjectStore, type StoreEvent } from './object-store.js';
import { parseSelector } from './selector.js';

export interface WatchQuery {
  plural: string;
  namespace: string | undefined;
  labelSelector: string | undefined;
  fieldSelector: string | undefined;
  resourceVersion: string | undefined;
  timeoutSeconds: number | undefined;
}

/**
 * A watch as the API server streams it: one JSON object per line, `{type, object}`. Without a
 * resourceVersion it starts with ADDED for what exists; a version older than the history gets an
 * ERROR event with a 410 Expired Status.
 */
export function serveWatch(store: ObjectStore, q: WatchQuery, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  const labels = parseSelector(q.labelSelector ?? '');
  const fields = parseSelector(q.fieldSelector ?? '');
  const wanted = (e: StoreEvent) =>
    e.plural === q.plural &&
    (q.namespace === undefined || e.object.metadata.namespace === q.namespace) &&
    matches(e.object, labels, fields);
  const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  const unsubscribe = store.onChange((e) => {
    if (wanted(e)) write(e.type, e.object);
  });
  const rv = q.resourceVersion ? Number(q.resourceVersion) : 0;
  if (rv > 0) {
    const missed = store.since(rv);
    if (missed === undefined) {
      write('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${rv}`,
        reason: 'Expired',
        code: 410,
      });
      unsubscribe();
      res.end();
      return;
    }
    for (const e of missed.filter(wanted)) write(e.type, e.object);
  } else {
    for (const o of store.list(q.plural, q.namespace, q.labelSelector, q.fieldSelector)) write('ADDED', o);
  }
  const timer = q.timeoutSeconds ? setTimeout(() => res.end(), q.timeoutSeconds * 1000) : undefined;
  res.on('close', () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  });
}
