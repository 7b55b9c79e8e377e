import type { AdoptAs, NamedWorkload, ObservedWorkload, WorkloadHandle } from '@berth/core';
import type Dockerode from 'dockerode';
import { isBerthManaged, LABEL } from './berth-labels.js';
import { parseEngineTime } from './docker-log-decoder.js';
import { DOCKER_RUNTIME, observedWorkload } from './observed-workload.js';

/**
 * Containers berth took over from another system (a registry import). They carry none of berth's
 * labels and cannot be given any (the engine has no label update), so the handle berth records
 * carries what the labels would say: `adopted`, the instance, the owner and the port names.
 */
const PORT_META = 'port:';

/** The container as an import sees it: its name, state, published host ports and berth marker. */
export function namedWorkload(info: Dockerode.ContainerInspectInfo): NamedWorkload {
  const labels = info.Config.Labels ?? {};
  const marked = isBerthManaged(labels) || labels[LABEL.owner] !== undefined;
  const started = parseEngineTime(info.State.StartedAt);
  return {
    ref: info.Id,
    name: info.Name.replace(/^\//, ''),
    running: info.State.Running,
    startedAt: Number.isNaN(started) ? null : started,
    published: publishedHostPorts(info),
    owner: marked ? (labels[LABEL.owner] ?? '') : null,
  };
}

/** Every distinct host port the container publishes (IPv4 and IPv6 bindings of one port once). */
function publishedHostPorts(info: Dockerode.ContainerInspectInfo): NamedWorkload['published'] {
  const live = (info.NetworkSettings?.Ports ?? {}) as Record<string, { HostPort: string }[] | null>;
  const seen = new Map<string, { port: number; protocol: 'tcp' | 'udp' }>();
  for (const [key, bindings] of Object.entries(live)) {
    const protocol = key.endsWith('/udp') ? 'udp' : key.endsWith('/tcp') ? 'tcp' : undefined;
    for (const b of bindings ?? []) {
      const port = Number(b.HostPort);
      if (protocol && Number.isInteger(port) && port > 0) seen.set(`${protocol}/${port}`, { port, protocol });
    }
  }
  return [...seen.values()];
}

/**
 * The handle of a container taken over for `as`, or undefined when the container is not the one
 * found any more: gone, stopped, renamed, or carrying a berth marker.
 */
export function adoptedHandle(
  info: Dockerode.ContainerInspectInfo | undefined,
  found: NamedWorkload,
  as: AdoptAs,
  node: string,
): WorkloadHandle | undefined {
  if (!info || info.Id !== found.ref || !info.State.Running) return undefined;
  const now = namedWorkload(info);
  if (now.name !== found.name || now.owner !== null) return undefined;
  const ports = Object.fromEntries(Object.entries(as.ports).map(([k, v]) => [PORT_META + k, v]));
  return {
    runtime: DOCKER_RUNTIME,
    id: info.Id,
    meta: {
      name: now.name,
      node,
      adopted: true,
      instanceId: as.instanceId,
      instance: as.instanceName,
      owner: as.owner,
      ...ports,
    },
  };
}

/** A handle berth recorded for a container it took over (not one it labelled itself). */
export function isAdoptedHandle(handle: WorkloadHandle): boolean {
  return handle.meta.adopted === true;
}

/**
 * What the engine says about a container, in berth's words, for a handle berth recorded: a
 * container berth took over is reported as the instance's the handle names, as its labels would
 * have said — as long as it still carries no berth label of its own.
 */
export function observedAs(
  info: Dockerode.ContainerInspectInfo,
  node: string,
  handle: WorkloadHandle,
): ObservedWorkload {
  const seen = observedWorkload(info, node);
  if (!isAdoptedHandle(handle) || namedWorkload(info).owner !== null) return seen;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const ports: Record<string, number> = {};
  for (const [k, v] of Object.entries(handle.meta))
    if (k.startsWith(PORT_META) && typeof v === 'number') ports[k.slice(PORT_META.length)] = v;
  return {
    ...seen,
    handle,
    ports,
    instanceId: text(handle.meta.instanceId),
    instanceName: text(handle.meta.instance),
    owner: text(handle.meta.owner),
  };
}
