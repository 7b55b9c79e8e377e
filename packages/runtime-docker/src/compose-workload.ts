import type { ObservedWorkload, WorkloadHandle } from '@berth/core';
import type Dockerode from 'dockerode';
import { LABEL, portsFromLabels } from './berth-labels.js';
import { parseEngineTime } from './docker-log-decoder.js';

/**
 * A compose project in berth's words, told by its primary service's container: running while that
 * container runs; its exit code and start time are the project's.
 */
export function composeWorkload(
  primary: Dockerode.ContainerInspectInfo,
  handle: WorkloadHandle,
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
  };
}
