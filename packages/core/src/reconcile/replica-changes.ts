import type { ClusterEvent, ObservedReplicas, ReplicaState } from '../runtime.js';

/** One replica whose state or node differs between two observations (`null`: it was not there). */
export interface ReplicaChange {
  replica: string;
  node: string | null;
  from: string | null;
  to: string | null;
  reason: string | null;
  /** The node the replica was lost with, when its node went down. */
  lostNode: string | null;
}

/** The runtimes' word for a replica whose node went away (see swarm-tasks.ts). */
const NODE_DOWN = 'node-down';

/** Each replica that appeared, went, or changed state or node between `before` and `now`. */
export function replicaChanges(
  before: ObservedReplicas | null,
  now: ObservedReplicas | null,
): ReplicaChange[] {
  const old = byId(before);
  const cur = byId(now);
  const changes: ReplicaChange[] = [];
  for (const [id, r] of cur) {
    const was = old.get(id);
    if (was && was.state === r.state && was.node === r.node) continue;
    changes.push(change(id, was, r));
  }
  for (const [id, was] of old) if (!cur.has(id)) changes.push(change(id, was, undefined));
  return changes;
}

function change(id: string, was: ReplicaState | undefined, r: ReplicaState | undefined): ReplicaChange {
  const node = r?.node ?? was?.node ?? null;
  const lostNode = r?.state === NODE_DOWN ? node : null;
  return {
    replica: id,
    node,
    from: was?.state ?? null,
    to: r?.state ?? null,
    reason: r?.message ?? null,
    lostNode,
  };
}

/** `replica 2 on worker-1: running → node-down (node worker-1 lost)`. */
export function replicaChangeMessage(c: ReplicaChange): string {
  const where = `replica ${c.replica}${c.node ? ` on ${c.node}` : ''}`;
  const what = c.to === null ? 'gone' : c.from === null ? c.to : `${c.from} → ${c.to}`;
  const why = [c.lostNode ? `node ${c.lostNode} lost` : null, c.reason].filter((x) => x !== null);
  return `${where}: ${what}${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
}

/** `Warning BackOff on Pod/web-1: Back-off restarting failed container`. */
export function clusterEventMessage(e: ClusterEvent): string {
  return `${e.type} ${e.reason} on ${e.object}: ${e.message}`;
}

function byId(r: ObservedReplicas | null): Map<string, ReplicaState> {
  return new Map((r?.items ?? []).map((x, i) => [x.id ?? String(i + 1), x]));
}
