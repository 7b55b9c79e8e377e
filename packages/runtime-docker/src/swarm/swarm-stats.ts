import type { Logger, WorkloadHandle } from '@berth/core';
import type Dockerode from 'dockerode';
import { type StatsNumbers, statsNumbers } from '../container-stats.js';
import { engineMessage } from '../docker-errors.js';
import type { SwarmCluster } from './swarm-cluster.js';
import { runningTasks } from './swarm-tasks.js';

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
 * (the manager's own, and those the node was given). A service none of whose tasks is on such an
 * engine has no entry — its usage is n/a, and the log says why.
 */
export async function serviceStats(
  cluster: SwarmCluster,
  handles: WorkloadHandle[],
  log: Logger,
): Promise<Map<string, StatsNumbers>> {
  const out = new Map<string, StatsNumbers>();
  const tasks = runningTasks(await cluster.tasks(handles.map((h) => h.id)));
  await Promise.all(
    handles.map(async (h) => {
      const samples: { s: StatsNumbers; total: number }[] = [];
      const mine = tasks.filter((t) => t.ServiceID === h.id);
      for (const t of mine) {
        const sample = await taskSample(cluster, t.NodeID, t.Status.ContainerStatus?.ContainerID, log);
        if (sample) samples.push(sample);
      }
      if (samples.length === 0) {
        if (mine.length > 0)
          log.debug({ service: h.id }, 'no stats: none of its tasks is on an engine berth reaches');
        return;
      }
      const memoryBytes = samples.reduce((n, x) => n + x.s.memoryBytes, 0);
      const total = samples.reduce((n, x) => n + x.total, 0);
      out.set(h.id, {
        cpuPercent: samples.reduce((n, x) => n + x.s.cpuPercent, 0),
        memoryBytes,
        memoryPercent: total > 0 ? Math.min(100, (memoryBytes / total) * 100) : 0,
      });
    }),
  );
  return out;
}

async function taskSample(
  cluster: SwarmCluster,
  nodeId: string | undefined,
  containerId: string | undefined,
  log: Logger,
): Promise<{ s: StatsNumbers; total: number } | undefined> {
  const engine = await cluster.engineOf(nodeId);
  if (!engine || !containerId) return undefined;
  try {
    const [raw, total] = await Promise.all([
      engine.getContainer(containerId).stats({ stream: false }),
      memTotal(engine),
    ]);
    return { s: statsNumbers(raw, total), total };
  } catch (err) {
    log.debug({ err: engineMessage(err) }, `no stats for container ${containerId.slice(0, 12)}`);
    return undefined;
  }
}
