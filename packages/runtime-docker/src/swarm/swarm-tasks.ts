import type { ObservedWorkload, ReplicaPort, ReplicaState, WorkloadHandle } from '@berth/core';
import { LABEL, portsFromLabels } from '../berth-labels.js';
import { parseEngineTime } from '../docker-log-decoder.js';
import { SWARM_RUNTIME } from './service-spec.js';

/** The parts of an Engine API service (GET /services/{id}) berth reads. */
export interface SwarmService {
  ID: string;
  Version: { Index: number };
  UpdatedAt?: string;
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number } };
    TaskTemplate?: { ForceUpdate?: number; ContainerSpec?: Record<string, unknown> };
    [key: string]: unknown;
  };
}

/** The parts of an Engine API task (GET /tasks) berth reads. */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState: string;
  CreatedAt: string;
  Status: {
    Timestamp?: string;
    State: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    /** The ports the task publishes in host mode, on its node. */
    PortStatus?: { Ports?: { Protocol?: string; TargetPort?: number; PublishedPort?: number }[] };
  };
}

/** A swarm node as berth names it, and where its published ports are reached. */
export interface SwarmNodeInfo {
  id: string;
  name: string;
  addr: string;
  /** The manager lost its heartbeat: what it says of the node's tasks is no longer so. */
  down: boolean;
}

export const FAILED_STATES = new Set(['failed', 'rejected']);
/** core's word for a replica whose node went away (replica-changes.ts names the node lost). */
const NODE_DOWN = 'node-down';

export function serviceHandle(service: SwarmService, node: string): WorkloadHandle {
  return { runtime: SWARM_RUNTIME, id: service.ID, meta: { name: service.Spec.Name, node } };
}

export function desiredReplicas(service: SwarmService): number {
  return service.Spec.Mode?.Replicated?.Replicas ?? 0;
}

/** Tasks Swarm wants running now (the current ones, not those it replaced or shut down). */
export function currentTasks(tasks: SwarmTask[]): SwarmTask[] {
  return tasks.filter((t) => t.DesiredState === 'running');
}

export function runningTasks(tasks: SwarmTask[]): SwarmTask[] {
  return currentTasks(tasks).filter((t) => t.Status.State === 'running');
}

/** Newest first. */
function byNewest(tasks: SwarmTask[]): SwarmTask[] {
  return [...tasks].sort((a, b) => parseEngineTime(b.CreatedAt) - parseEngineTime(a.CreatedAt));
}

/**
 * One entry per replica slot Swarm wants filled: its newest task — running, on its way, or the
 * failure (with the engine's reason) Swarm is about to retry.
 */
export function replicaStates(
  service: SwarmService,
  tasks: SwarmTask[],
  nodes: Map<string, SwarmNodeInfo>,
): ReplicaState[] {
  const desired = desiredReplicas(service);
  const bySlot = new Map<number, SwarmTask[]>();
  for (const t of byNewest(tasks)) {
    const slot = t.Slot ?? 0;
    if (slot <= desired) bySlot.set(slot, [...(bySlot.get(slot) ?? []), t]);
  }
  return [...bySlot.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, [t, ...older]]) => replicaState(t!, older, nodes));
}

/** A slot's newest task: where and how it is (see stateOf), and the ports it publishes. */
function replicaState(t: SwarmTask, older: SwarmTask[], nodes: Map<string, SwarmNodeInfo>): ReplicaState {
  const ports = hostModePorts(t);
  return {
    ...(t.Slot ? { id: String(t.Slot) } : {}),
    ...stateOf(t, older[0], nodes),
    ...(ports.length > 0 ? { ports } : {}),
  };
}

/**
 * A replica whose node went down stays that node's, `node-down`, until its replacement runs (or
 * fails, with the engine's reason): the node lost is the news, not the new task's way through
 * assigned, ready and starting on another node, which the message tells. A new task after a failed
 * one carries the failure's reason until it runs: Swarm replaces a failed task at once, and the
 * failure would otherwise never be seen.
 */
function stateOf(
  t: SwarmTask,
  previous: SwarmTask | undefined,
  nodes: Map<string, SwarmNodeInfo>,
): Pick<ReplicaState, 'node' | 'state' | 'message'> {
  const nodeOf = (x: SwarmTask | undefined) => (x?.NodeID ? nodes.get(x.NodeID) : undefined);
  const failed = FAILED_STATES.has(t.Status.State);
  const lost = nodeOf(t)?.down
    ? nodeOf(t)
    : previous?.Status.State === 'running' && nodeOf(previous)?.down
      ? nodeOf(previous)
      : undefined;
  if (lost && !failed && !isRunningOn(t, nodes)) {
    const where = t.NodeID ? ` on ${nodeOf(t)?.name ?? t.NodeID}` : '';
    const next = nodeOf(t) === lost ? '' : `; its new task is ${t.Status.State}${where}`;
    return {
      node: lost.name,
      state: NODE_DOWN,
      message: `node ${lost.name} is down; Swarm reschedules its replica${next}`,
    };
  }
  return {
    node: t.NodeID ? (nodeOf(t)?.name ?? t.NodeID) : null,
    state: t.Status.State,
    message: failed ? reasonOf(t) : t.Status.State === 'running' ? null : replaced(previous),
  };
}

/** The engine's reason a task failed or was rejected. */
function reasonOf(t: SwarmTask): string | null {
  return t.Status.Err ?? t.Status.Message ?? null;
}

/** Why a new task is on its way: the one before it failed (Swarm replaces it at once). */
function replaced(previous: SwarmTask | undefined): string | null {
  if (!previous || !FAILED_STATES.has(previous.Status.State)) return null;
  const why = reasonOf(previous);
  return `its task ${previous.Status.State}${why ? `: ${why}` : ''}; Swarm starts a new one`;
}

/**
 * A slot whose newest task does not run yet while an older one still reads running: a task being
 * replaced, perhaps because its node went down a moment ago — worth a fresh look at the nodes.
 */
export function replacing(tasks: SwarmTask[]): boolean {
  const newest = new Map<string, SwarmTask>();
  for (const t of byNewest(tasks)) {
    const slot = `${t.ServiceID}/${t.Slot ?? 0}`;
    const first = newest.get(slot);
    if (!first) newest.set(slot, t);
    else if (first.Status.State !== 'running' && t.Status.State === 'running') return true;
  }
  return false;
}

/**
 * The host-mode ports a task publishes on its node, once each (the engine may list one per address
 * family); ingress ports belong to every node, not to it.
 */
function hostModePorts(t: SwarmTask): ReplicaPort[] {
  const seen = new Map<string, ReplicaPort>();
  for (const p of t.Status.PortStatus?.Ports ?? []) {
    if (!p.PublishedPort) continue;
    const protocol = p.Protocol === 'udp' ? 'udp' : 'tcp';
    seen.set(`${p.PublishedPort}/${protocol}`, {
      hostPort: p.PublishedPort,
      containerPort: p.TargetPort ?? null,
      protocol,
    });
  }
  return [...seen.values()].sort((a, b) => a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol));
}

function isRunningOn(t: SwarmTask, nodes: Map<string, SwarmNodeInfo>): boolean {
  return t.Status.State === 'running' && !(t.NodeID && nodes.get(t.NodeID)?.down);
}

/** What Swarm says about a service and its tasks, in berth's words. */
export function observedService(
  service: SwarmService,
  tasks: SwarmTask[],
  nodes: Map<string, SwarmNodeInfo>,
  node: string,
): ObservedWorkload {
  const labels = service.Spec.Labels ?? {};
  // A task on a node that went down still reads running until Swarm replaces it: it is not.
  const running = runningTasks(tasks).filter((t) => isRunningOn(t, nodes));
  const started = running
    .map((t) => parseEngineTime(t.Status.Timestamp ?? ''))
    .filter((n) => !Number.isNaN(n));
  const last = byNewest(tasks)[0];
  const ports: Record<string, number> = {};
  for (const p of portsFromLabels(labels)) ports[p.name] = p.hostPort;
  return {
    handle: serviceHandle(service, node),
    running: running.length > 0,
    pid: null,
    exitCode: running.length > 0 ? null : (last?.Status.ContainerStatus?.ExitCode ?? null),
    startedAt: started.length > 0 ? Math.min(...started) : null,
    ports,
    instanceId: labels[LABEL.instanceId] ?? null,
    instanceName: labels[LABEL.instance] ?? null,
    owner: labels[LABEL.owner] ?? null,
    replicas: {
      desired: desiredReplicas(service),
      running: running.length,
      items: replicaStates(service, tasks, nodes),
    },
  };
}
