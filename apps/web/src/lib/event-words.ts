import type { BerthEvent } from '../api/types';

export type Severity = 'error' | 'warn' | 'ok' | 'info';

/** One row of the event list: an event, and the types of the events told with the same words. */
export interface EventRow {
  event: BerthEvent;
  types: string[];
}

const to = (e: BerthEvent) => (typeof e.data.to === 'string' ? e.data.to : undefined);

/** "status → error", "restart", "health → unhealthy", "node → unreachable": the type in short. */
export function typeLabel(e: BerthEvent): string {
  const kind = e.type.replace(/^(instance|node|build|template)\./, (_, head: string) =>
    head === 'instance' ? '' : `${head} `,
  );
  const target = to(e);
  return target ? `${kind} → ${target}` : kind;
}

const BAD = new Set(['error', 'unreachable', 'unhealthy', 'failed', 'node-down']);
const GOOD = new Set(['running', 'healthy', 'ready', 'done']);

/** How bad it is: a failure red, a restart or an orphan amber, running/healthy green, the rest plain. */
export function severityOf(e: BerthEvent): Severity {
  const target = to(e) ?? (typeof e.data.status === 'string' ? e.data.status : undefined);
  if (e.type === 'instance.port-conflict') return 'error';
  if (target && BAD.has(target)) return 'error';
  if (e.type === 'instance.restart' || e.type === 'instance.orphan' || target === 'cancelled') return 'warn';
  if (target && GOOD.has(target)) return 'ok';
  return 'info';
}

const RANK: Record<Severity, number> = { error: 3, warn: 2, ok: 1, info: 0 };

/**
 * Events newest first, where a status change and the restart it schedules (same instance, same
 * words, a moment apart) are one row naming both types: the reason is printed once.
 */
export function foldEvents(events: BerthEvent[]): EventRow[] {
  const rows: EventRow[] = [];
  for (const e of events) {
    const last = rows[rows.length - 1];
    if (
      last &&
      last.event.instanceId === e.instanceId &&
      last.event.message === e.message &&
      Math.abs(last.event.ts - e.ts) < 5000
    ) {
      // keep the more severe as the row's event (its colour), the status first among the types
      const status = e.type === 'instance.status' ? e : last.event;
      const other = status === e ? last.event : e;
      last.types = [
        typeLabel(status),
        ...last.types.filter((t) => t !== typeLabel(status)),
        typeLabel(other),
      ].filter((t, i, all) => all.indexOf(t) === i);
      if (RANK[severityOf(e)] > RANK[severityOf(last.event)]) last.event = e;
      continue;
    }
    rows.push({ event: e, types: [typeLabel(e)] });
  }
  return rows;
}
