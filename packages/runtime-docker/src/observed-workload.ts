import type { ObservedWorkload, WorkloadHandle } from '@berth/core';
import type Dockerode from 'dockerode';
import { LABEL, portsFromLabels } from './berth-labels.js';
import { parseEngineTime } from './docker-log-decoder.js';

export const DOCKER_RUNTIME = 'docker';

export function handleOf(
  info: Pick<Dockerode.ContainerInspectInfo, 'Id' | 'Name'>,
  node: string,
): WorkloadHandle {
  return { runtime: DOCKER_RUNTIME, id: info.Id, meta: { name: info.Name.replace(/^\//, ''), node } };
}

/** What the engine says about a container, in berth's words. */
export function observedWorkload(info: Dockerode.ContainerInspectInfo, node: string): ObservedWorkload {
  const labels = info.Config.Labels ?? {};
  const running = info.State.Running;
  const started = parseEngineTime(info.State.StartedAt);
  return {
    handle: handleOf(info, node),
    running,
    pid: running && info.State.Pid > 0 ? info.State.Pid : null,
    exitCode: running || Number.isNaN(started) ? null : info.State.ExitCode,
    startedAt: Number.isNaN(started) ? null : started,
    ports: publishedPorts(info),
    instanceId: labels[LABEL.instanceId] ?? null,
    instanceName: labels[LABEL.instance] ?? null,
    owner: labels[LABEL.owner] ?? null,
  };
}

/** Port name → host port: what the engine published when running, else what berth asked for. */
export function publishedPorts(info: Dockerode.ContainerInspectInfo): Record<string, number> {
  const live = (info.NetworkSettings?.Ports ?? {}) as Record<string, { HostPort: string }[] | null>;
  const out: Record<string, number> = {};
  for (const p of portsFromLabels(info.Config.Labels ?? {})) {
    const binding = live[`${p.containerPort}/${p.protocol}`]?.[0];
    out[p.name] = binding ? Number(binding.HostPort) : p.hostPort;
  }
  return out;
}
