import type { ReplicaPort, ReplicaState } from '@berth/core';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';

/** Waiting reasons that mean the pod will not become ready by waiting: berth reports them as errors. */
const STUCK = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** Why a pod cannot run, in words a user acts on; undefined while it runs or may still start. */
export function podProblem(pod: V1Pod): string | undefined {
  const name = pod.metadata?.name ?? 'pod';
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled?.reason === 'Unschedulable') {
    return `pod ${name} cannot be scheduled on any node (Unschedulable): ${unscheduled.message ?? 'no node fits it'}`;
  }
  for (const c of pod.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (!waiting?.reason || !STUCK.has(waiting.reason)) continue;
    if (waiting.reason === 'CrashLoopBackOff') {
      const last = c.lastState?.terminated;
      const exit = last ? `, last exit code ${last.exitCode}` : '';
      return `container ${c.name} of pod ${name} keeps crashing (CrashLoopBackOff${exit}, restarted ${c.restartCount} times)`;
    }
    if (
      waiting.reason === 'ImagePullBackOff' ||
      waiting.reason === 'ErrImagePull' ||
      waiting.reason === 'InvalidImageName'
    ) {
      return `image ${c.image} of pod ${name} cannot be pulled (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}`;
    }
    return `container ${c.name} of pod ${name} cannot start (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}`;
  }
  return undefined;
}

export const isPodReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp &&
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * A pod whose container runs now. A crash-looping pod keeps phase Running while its container
 * waits to restart, so the container's own state decides.
 */
export const isPodRunning = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp &&
  pod.status?.phase === 'Running' &&
  (pod.status.containerStatuses ?? []).some((c) => c.state?.running !== undefined);

/** The last exit code of a pod's container, when it has exited at least once. */
export const lastExitCode = (pod: V1Pod): number | null =>
  pod.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode ?? null;

/** Desired and ready replicas of a Deployment, from its spec and its pods. */
export function replicaCounts(
  d: V1Deployment,
  pods: V1Pod[],
): { desired: number; ready: number; running: number } {
  return {
    desired: d.spec?.replicas ?? 1,
    ready: pods.filter(isPodReady).length,
    running: pods.filter(isPodRunning).length,
  };
}

/** The earliest start among the running pods (ms), for ObservedWorkload.startedAt. */
export function startedAt(pods: V1Pod[]): number | null {
  const times = pods
    .filter(isPodRunning)
    .map((p) => (p.status?.startTime ? new Date(p.status.startTime).getTime() : Number.NaN));
  const ok = times.filter((t) => !Number.isNaN(t));
  return ok.length > 0 ? Math.min(...ok) : null;
}

/**
 * One pod as a replica: its node, its state in the kubelet's words, and why it is stuck; a pod that
 * runs is reached through the Service's NodePorts (`nodePorts`, on every node), so they are its ports.
 */
export function replicaState(pod: V1Pod, nodePorts: ReplicaPort[] = []): ReplicaState {
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
  const state = pod.metadata?.deletionTimestamp
    ? 'Terminating'
    : (waiting?.reason ?? pod.status?.phase ?? 'Pending');
  const id = pod.metadata?.name;
  const ports = isPodRunning(pod) && nodePorts.length > 0 ? { ports: nodePorts } : {};
  return {
    ...(id ? { id } : {}),
    node: pod.spec?.nodeName ?? null,
    state,
    message: podProblem(pod) ?? null,
    ...ports,
  };
}
