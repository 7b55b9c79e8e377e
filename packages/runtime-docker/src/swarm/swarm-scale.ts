import type { Logger } from '@berth/core';
import { engineMessage, isNotFound, isNotModified } from '../docker-errors.js';
import type { SwarmCluster } from './swarm-cluster.js';
import type { SwarmService, SwarmTask } from './swarm-tasks.js';

/**
 * Sets the service's replica count and nothing else: the spec is the service's own (its
 * ForceUpdate unchanged), so Swarm only adds or removes tasks and the ones that run keep running.
 */
export async function setReplicas(
  cluster: SwarmCluster,
  service: SwarmService,
  replicas: number,
): Promise<void> {
  const spec = structuredClone(service.Spec);
  spec.Mode = { Replicated: { Replicas: replicas } };
  await cluster.docker.getService(service.ID).update({ version: service.Version.Index, ...spec });
}

/** Task states in which a task's container may still run. */
const LIVE = new Set(['new', 'pending', 'assigned', 'accepted', 'ready', 'preparing', 'starting', 'running']);

export interface ScaleDown {
  /** How long each container may take to stop after SIGTERM; 0 kills at once. */
  graceMs: number;
  log: Logger;
}

/**
 * Brings a service to 0 replicas and waits until none of its tasks runs. Swarm stops a task with
 * the grace period the task was created with, so once Swarm no longer wants the tasks (their desired
 * state is no longer running: it will not restart them), the containers berth can reach are
 * stopped directly with the grace asked for now; the rest stop as Swarm says.
 */
export async function scaleToZero(
  cluster: SwarmCluster,
  service: SwarmService,
  opts: ScaleDown,
): Promise<void> {
  const spec = structuredClone(service.Spec);
  spec.Mode = { Replicated: { Replicas: 0 } };
  await cluster.docker.getService(service.ID).update({ version: service.Version.Index, ...spec });
  const deadline = Date.now() + opts.graceMs + 15_000;
  const stopped = new Set<string>();
  for (;;) {
    const tasks = await cluster.tasks([service.ID]);
    const live = tasks.filter((t) => LIVE.has(t.Status.State));
    if (live.length === 0 || Date.now() > deadline) return;
    const let_go = live.filter((t) => t.DesiredState !== 'running' && !stopped.has(t.ID));
    await Promise.all(let_go.map((t) => stopContainer(cluster, t, opts, stopped)));
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopContainer(cluster: SwarmCluster, task: SwarmTask, opts: ScaleDown, done: Set<string>) {
  const id = task.Status.ContainerStatus?.ContainerID;
  if (!id) return;
  const engine = await cluster.engineOf(task.NodeID);
  if (!engine) return;
  done.add(task.ID);
  const container = engine.getContainer(id);
  try {
    if (opts.graceMs === 0) await container.kill();
    else await container.stop({ t: Math.max(1, Math.ceil(opts.graceMs / 1000)) });
  } catch (err) {
    if (isNotFound(err) || isNotModified(err)) return;
    opts.log.debug({ err: engineMessage(err) }, `container of task ${task.ID} not stopped directly`);
  }
}
