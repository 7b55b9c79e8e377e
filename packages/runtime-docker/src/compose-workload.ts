import type { ObservedReplicas, ObservedWorkload, ReplicaPort, WorkloadHandle } from '@berth/core';
import type Dockerode from 'dockerode';
import { LABEL, portsFromLabels } from './berth-labels.js';
import { parseEngineTime } from './docker-log-decoder.js';

/** The label compose numbers a service's containers with (1, 2, 3… as it scales). */
const CONTAINER_NUMBER = 'com.docker.compose.container-number';
const SERVICE = 'com.docker.compose.service';

/**
 * A compose project in berth's words, told by its primary service's container: running while that
 * container runs; its exit code and start time are the project's. `replicas`: the primary
 * service's containers, when the caller read them.
 */
export function composeWorkload(
  primary: Dockerode.ContainerInspectInfo,
  handle: WorkloadHandle,
  replicas?: ObservedReplicas,
): ObservedWorkload {
  const labels = primary.Config.Labels ?? {};
  const running = primary.State.Running;
  const started = parseEngineTime(primary.State.StartedAt);
  const ports: Record<string, number> = {};
  for (const p of portsFromLabels(labels)) ports[p.name] = p.hostPort;
  return {
    handle,
    running,
    pid: running && primary.State.Pid > 0 ? primary.State.Pid : null,
    exitCode: running || Number.isNaN(started) ? null : primary.State.ExitCode,
    startedAt: Number.isNaN(started) ? null : started,
    ports,
    instanceId: labels[LABEL.instanceId] ?? null,
    instanceName: labels[LABEL.instance] ?? null,
    owner: labels[LABEL.owner] ?? null,
    ...(replicas ? { replicas } : {}),
  };
}

const numberOf = (c: Dockerode.ContainerInfo) => Number(c.Labels[CONTAINER_NUMBER] ?? 0);

/**
 * Each container's name in a project's merged logs (container id → label): its service, and its
 * number when the service runs several (`web-2`), so a scaled service's lines say which wrote them.
 */
export function logLabels(containers: Dockerode.ContainerInfo[]): Map<string, string> {
  const perService = new Map<string, number>();
  for (const c of containers) {
    const s = c.Labels[SERVICE];
    if (s) perService.set(s, (perService.get(s) ?? 0) + 1);
  }
  const out = new Map<string, string>();
  for (const c of containers) {
    const s = c.Labels[SERVICE];
    if (s) out.set(c.Id, (perService.get(s) ?? 0) > 1 ? `${s}-${numberOf(c)}` : s);
  }
  return out;
}

/** The containers of the project's `service` (its replicas), by compose's container number. */
export function serviceContainers(
  containers: Dockerode.ContainerInfo[],
  service: string | undefined,
): Dockerode.ContainerInfo[] {
  return containers.filter((c) => c.Labels[SERVICE] === service).sort((a, b) => numberOf(a) - numberOf(b));
}

/**
 * The primary service's containers as replicas: compose keeps one container per replica it was
 * scaled to, so each one is wanted and a stopped one is a replica not running. Each names its
 * container number, the node, the engine's state, the exit code of one that exited, and the host
 * ports it publishes (in a stable order: an idle project reads the same every tick).
 */
export function composeReplicas(replicas: Dockerode.ContainerInfo[], node: string): ObservedReplicas {
  return {
    desired: replicas.length,
    running: replicas.filter((c) => c.State === 'running').length,
    items: replicas.map((c) => ({
      id: String(numberOf(c) || c.Id.slice(0, 12)),
      node,
      state: c.State,
      message: exitMessage(c),
      ports: publishedPorts(c),
    })),
  };
}

/** `Exited (137) 2 minutes ago` → `exited with code 137` (the time left out: it changes every look). */
function exitMessage(c: Dockerode.ContainerInfo): string | null {
  const code = /^Exited \((-?\d+)\)/.exec(c.Status ?? '');
  return code ? `exited with code ${code[1]}` : null;
}

/**
 * The host port of each port a container publishes. The engine binds IPv4 and IPv6 apart, and when
 * it picks the host port itself (a replica's ports) the two can differ if the first choice was
 * taken for one family; a replica is reached at one address per port, so the IPv4 binding is the one
 * shown.
 */
export function publishedPorts(c: Pick<Dockerode.ContainerInfo, 'Ports'>): ReplicaPort[] {
  const byPort = new Map<string, { port: ReplicaPort; ipv6: boolean }>();
  for (const p of c.Ports ?? []) {
    if (!p.PublicPort) continue;
    const protocol = p.Type === 'udp' ? 'udp' : 'tcp';
    const key = `${p.PrivatePort}/${protocol}`;
    const ipv6 = (p.IP ?? '').includes(':');
    const held = byPort.get(key);
    if (held && (ipv6 || !held.ipv6)) continue;
    byPort.set(key, { port: { hostPort: p.PublicPort, containerPort: p.PrivatePort, protocol }, ipv6 });
  }
  return [...byPort.values()]
    .map((b) => b.port)
    .sort((a, b) => a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol));
}
