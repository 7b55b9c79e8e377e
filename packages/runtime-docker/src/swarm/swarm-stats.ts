import {
  type Logger,
  naReplicas,
  type ReplicaStats,
  type WorkloadHandle,
  type WorkloadStats,
  type WorkloadStatsUnavailable,
} from '@berth/core';
import type Dockerode from 'dockerode';
import { type StatsNumbers, statsNumbers } from '../container-stats.js';
import { engineMessage } from '../docker-errors.js';
import type { SwarmCluster } from './swarm-cluster.js';
import { runningTasks, type SwarmNodeInfo, type SwarmTask } from './swarm-tasks.js';

const memTotals = new WeakMap<Dockerode, Promise<number>>();

function memTotal(engine: Dockerode): Promise<number> {
  let total = memTotals.get(engine);
  if (!total) {
    total = engine.info().then((i: { MemTotal?: number }) => i.MemTotal ?? 0);
    total.catch(() => memTotals.delete(engine));
    memTotals.set(engine, total);
  }
  return total;
}

/**
 * Each service's usage: the sum over its running tasks' containers on the engines berth reaches
 * (the manager's own, and those the node was given), with each replica's share — or n/a with the
 * reason (its node, and why) for a task berth cannot read. A service none of whose tasks can be
 * read says why, replica by replica.
 */
export async function serviceStats(
  cluster: SwarmCluster,
  handles: WorkloadHandle[],
  log: Logger,
): Promise<Map<string, WorkloadStats | WorkloadStatsUnavailable>> {
  const out = new Map<string, WorkloadStats | WorkloadStatsUnavailable>();
  const tasks = runningTasks(await cluster.tasks(handles.map((h) => h.id)));
  const nodes = tasks.length > 0 ? await cluster.nodes() : new Map<string, SwarmNodeInfo>();
  await Promise.all(
    handles.map(async (h) => {
      const mine = tasks.filter((t) => t.ServiceID === h.id).sort((a, b) => (a.Slot ?? 0) - (b.Slot ?? 0));
      if (mine.length === 0) return;
      const shares = await Promise.all(mine.map((t) => taskShare(cluster, t, nodes, log)));
      const replicas = shares.map((x) => x.replica);
      const read = shares.flatMap((x) => (x.sample ? [x.sample] : []));
      if (read.length === 0) {
        out.set(h.id, { unavailable: `none of its replicas can be read: ${naReplicas(replicas)}`, replicas });
        return;
      }
      const memoryBytes = read.reduce((n, x) => n + x.s.memoryBytes, 0);
      const total = read.reduce((n, x) => n + x.total, 0);
      out.set(h.id, {
        cpuPercent: read.reduce((n, x) => n + x.s.cpuPercent, 0),
        memoryBytes,
        memoryPercent: total > 0 ? Math.min(100, (memoryBytes / total) * 100) : 0,
        replicas,
      });
    }),
  );
  return out;
}

interface Sample {
  s: StatsNumbers;
  total: number;
}

/** One task's share, or n/a with why: its node is down, berth does not reach its engine, or the read failed. */
async function taskShare(
  cluster: SwarmCluster,
  t: SwarmTask,
  nodes: Map<string, SwarmNodeInfo>,
  log: Logger,
): Promise<{ replica: ReplicaStats; sample?: Sample }> {
  const node = t.NodeID ? (nodes.get(t.NodeID) ?? null) : null;
  const name = node?.name ?? t.NodeID?.slice(0, 12) ?? null;
  const na = (reason: string) => ({
    replica: {
      replica: String(t.Slot ?? t.ID.slice(0, 12)),
      node: name,
      cpuPercent: null,
      memoryBytes: null,
      reason,
    },
  });
  if (node?.down) return na(`node ${name} is down`);
  const engine = await cluster.engineOf(t.NodeID);
  if (!engine)
    return na(
      `berth does not reach the engine of node ${name ?? '?'} (it reads the manager's and those the node names)`,
    );
  const containerId = t.Status.ContainerStatus?.ContainerID;
  if (!containerId) return na('its container is not known yet');
  try {
    const [raw, total] = await Promise.all([
      engine.getContainer(containerId).stats({ stream: false }),
      memTotal(engine),
    ]);
    const s = statsNumbers(raw, total);
    const replica = { ...na('').replica, cpuPercent: s.cpuPercent, memoryBytes: s.memoryBytes, reason: null };
    return { replica, sample: { s, total } };
  } catch (err) {
    log.debug({ err: engineMessage(err) }, `no stats for container ${containerId.slice(0, 12)}`);
    return na(`its container's stats could not be read: ${engineMessage(err)}`);
  }
}
