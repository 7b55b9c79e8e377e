import {
  assertNoSecretInArgs,
  type ContainerImage,
  containerImageOf,
  containerPortOf,
  type DeploySpec,
  type HealthCheck,
  type RestartPolicy,
} from '@berth/core';
import type Dockerode from 'dockerode';
import { berthLabels, LABEL, portLabels } from '../berth-labels.js';
import { volumeMounts } from '../volume-mounts.js';
import { SECRET_ENV_WRAPPER, type SecretRef, secretReferences } from './swarm-secrets.js';

export const SWARM_RUNTIME = 'swarm';

/** How published ports reach a service: on the node that runs each task, or through the routing mesh. */
export type PublishMode = 'host' | 'ingress';

export interface ServiceSpecInput {
  spec: DeploySpec;
  name: string;
  image: string;
  publishMode: PublishMode;
  /** Placement constraints every service of this node gets (`node.labels.pool==web`). */
  constraints: string[];
  /** Docker secrets made for the spec's secret env entries. */
  secrets: SecretRef[];
  /** The full argv (image entrypoint + command) the secret wrapper execs; needed with secrets only. */
  argv?: string[];
  /** Bumped on every redeploy so Swarm replaces the tasks even when nothing else changed. */
  forceUpdate: number;
}

const NS_PER_MS = 1_000_000;
const NS_PER_S = 1_000_000_000;

/** berth's neutral deploy spec → a Swarm service spec (Engine API /services/create). Pure. */
export function serviceSpec(input: ServiceSpecInput): Dockerode.ServiceSpec {
  const { spec, name, publishMode } = input;
  const hostPorts = publishMode === 'host' && spec.ports.length > 0;
  return {
    Name: name,
    Labels: { ...berthLabels(spec), ...portLabels(spec.ports), [LABEL.runtime]: SWARM_RUNTIME },
    TaskTemplate: {
      ContainerSpec: containerSpec(input),
      Resources: { Limits: limits(spec.resources) },
      RestartPolicy: restartPolicy(spec.restart),
      // Two tasks on one node cannot both hold a host-mode port: one replica per node then.
      Placement: { Constraints: input.constraints, ...(hostPorts ? { MaxReplicas: 1 } : {}) },
      ForceUpdate: input.forceUpdate,
    },
    Mode: { Replicated: { Replicas: spec.replicas } },
    // stop-first: a new task on the same node needs the old one's host port.
    UpdateConfig: { Parallelism: 0, Order: 'stop-first', FailureAction: 'pause' },
    EndpointSpec: {
      Mode: 'vip',
      // A command template's port is its container port too (it listens on the port berth passes in).
      Ports: spec.ports.map((p) => ({
        Protocol: p.protocol,
        TargetPort: containerPortOf(p),
        PublishedPort: p.hostPort,
        PublishMode: publishMode,
      })),
    },
  };
}

function containerSpec(input: ServiceSpecInput): Dockerode.ContainerSpec {
  const { spec, image, secrets } = input;
  const run: Partial<ContainerImage> = containerImageOf(spec) ?? {};
  const secret = new Set(spec.secretEnv ?? []);
  assertNoSecretInArgs(
    spec,
    [...(input.argv ?? []), ...(run.entrypoint ?? []), ...(run.args ?? [])],
    "the swarm's service spec",
  );
  return {
    Image: image,
    Labels: taskLabels(spec),
    ...(secrets.length > 0
      ? { Command: ['/bin/sh', '-c', SECRET_ENV_WRAPPER, 'berth-secrets'], Args: input.argv ?? [] }
      : {
          ...(run.entrypoint ? { Command: run.entrypoint } : {}),
          ...(run.args ? { Args: run.args } : {}),
        }),
    Env: Object.entries(spec.env)
      .filter(([k]) => !secret.has(k))
      .map(([k, v]) => `${k}=${v}`),
    Secrets: secretReferences(secrets),
    ...(run.user ? { User: run.user } : {}),
    ...(run.workdir ? { Dir: run.workdir } : {}),
    Init: run.init !== false,
    StopGracePeriod: spec.stopTimeoutMs * NS_PER_MS,
    // The types want a volume driver named; the engine takes labels alone (the local driver).
    Mounts: volumeMounts(spec, 'named').map((m) => ({
      Type: 'volume' as const,
      Source: m.source,
      Target: m.target,
      ReadOnly: m.readOnly,
      VolumeOptions: { Labels: volumeLabels(spec, m.data) } as Dockerode.MountSettings['VolumeOptions'],
    })),
    ...healthOf(spec),
  };
}

/**
 * The labels of each task's container: which instance it serves, but no owner — the Docker
 * runtime of an engine that is also a swarm node lists containers by owner, and these are the
 * service's, not its own.
 */
function taskLabels(spec: DeploySpec): Record<string, string> {
  return {
    [LABEL.instance]: spec.instanceName,
    [LABEL.instanceId]: spec.instanceId,
    [LABEL.runtime]: SWARM_RUNTIME,
  };
}

function healthOf(spec: DeploySpec): { HealthCheck?: Dockerode.HealthConfig } {
  const check = spec.health ? healthCheck(spec.health, spec) : undefined;
  return check ? { HealthCheck: check } : {};
}

function limits(resources: DeploySpec['resources']): Dockerode.Resources {
  const out: Dockerode.Resources = {};
  if (resources?.memoryMb) out.MemoryBytes = Math.round(resources.memoryMb * 1024 * 1024);
  if (resources?.cpus) out.NanoCPUs = Math.round(resources.cpus * NS_PER_S);
  return out;
}

/**
 * berth's restart policy in Swarm's words: never → none, on-failure → on-failure, always → any;
 * retries and backoff carried over. Without one, berth's default (on-failure, 5 tries, 1 s).
 */
export function restartPolicy(policy: RestartPolicy | undefined): Dockerode.TaskRestartPolicy {
  const p = policy ?? { policy: 'on-failure', maxRetries: 5, backoffSeconds: 1, resetAfterSeconds: 60 };
  const condition = { never: 'none', 'on-failure': 'on-failure', always: 'any' }[p.policy];
  return {
    Condition: condition,
    Delay: Math.round(p.backoffSeconds * NS_PER_S),
    // Swarm counts attempts within a window: a run as long as berth's reset time starts afresh.
    MaxAttempts: p.policy === 'always' ? 0 : p.maxRetries,
    Window: Math.round(p.resetAfterSeconds * NS_PER_S),
  };
}

/**
 * The template's health check, run by the engine inside each task: an HTTP GET or a TCP connect
 * to the container port from inside (busybox/wget and nc), or the template's command. A port
 * with no container port (nothing to reach inside) leaves the check to berth's own monitor.
 */
export function healthCheck(health: HealthCheck, spec: DeploySpec): Dockerode.HealthConfig | undefined {
  const timing = {
    Interval: health.intervalSeconds * NS_PER_S,
    Timeout: health.timeoutSeconds * NS_PER_S,
    Retries: health.retries,
    StartPeriod: health.startPeriodSeconds * NS_PER_S,
  };
  const found = (name: string) => spec.ports.find((p) => p.name === name);
  const portOf = (name: string) => {
    const p = found(name);
    return p ? containerPortOf(p) : undefined;
  };
  if (health.command) return { Test: ['CMD', ...health.command], ...timing };
  const port = portOf(health.http?.port ?? health.tcp?.port ?? '');
  if (port === undefined) return undefined;
  if (health.http) {
    const url = `http://127.0.0.1:${port}${health.http.path}`;
    return { Test: ['CMD', 'wget', '-q', '-O', '/dev/null', url], ...timing };
  }
  return { Test: ['CMD', 'nc', '-z', '127.0.0.1', String(port)], ...timing };
}

/** berth's labels on a service's volume, and whether it is the instance's data directory. */
function volumeLabels(spec: DeploySpec, data: boolean): Record<string, string> {
  return { ...berthLabels(spec), [LABEL.volumeKind]: data ? 'data' : 'volume' };
}
