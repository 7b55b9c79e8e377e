import { containerImageOf, type DeploySpec } from '@berth/core';
import type Dockerode from 'dockerode';
import { composeEscape, composeText, duration, environmentOf, healthcheckOf } from '../compose-text.js';
import { type PublishMode, serviceSpec } from './service-spec.js';
import type { SecretRef } from './swarm-secrets.js';

export interface StackFileOptions {
  publishMode?: PublishMode;
  constraints?: string[];
}

type Service = Record<string, unknown>;

/** serviceSpec always makes a container task. */
const taskOf = (s: Dockerode.ServiceSpec) => (s.TaskTemplate ?? {}) as Dockerode.ContainerTaskSpec;

/** The Docker secret an exported stack expects for a secret env entry (made by the operator). */
export const stackSecretName = (spec: DeploySpec, env: string) =>
  `berth-${spec.instanceName}-${env.toLowerCase().replace(/_/g, '-')}`;

/**
 * `berth export --format swarm`: a stack file (compose v3.8) for `docker stack deploy`, converted
 * from the very service spec the swarm runtime creates — replicas, resources, restart policy,
 * placement, health check, host-mode ports, the named volume, and secret env entries as external
 * Docker secrets read by the same /bin/sh wrapper. No secret value is in it.
 */
export function stackFile(spec: DeploySpec, opts: StackFileOptions = {}): string {
  const secrets: SecretRef[] = (spec.secretEnv ?? [])
    .filter((env) => env in spec.env)
    .map((env) => ({ id: stackSecretName(spec, env), name: stackSecretName(spec, env), env }));
  const run = containerImageOf(spec);
  const argv = run?.entrypoint ? [...run.entrypoint, ...(run.args ?? [])] : run?.args;
  const s = serviceSpec({
    spec,
    name: spec.instanceName,
    image: run?.image ?? '',
    publishMode: opts.publishMode ?? 'host',
    constraints: opts.constraints ?? [],
    secrets,
    forceUpdate: 0,
    ...(argv ? { argv } : {}),
  });
  const keep = new Set(secrets.map((r) => r.env));
  const doc = {
    version: '3.8',
    services: { [spec.instanceName]: service(s, keep) },
    ...volumesOf(s),
    ...(secrets.length > 0
      ? { secrets: Object.fromEntries(secrets.map((r) => [r.name, { external: true }])) }
      : {}),
  };
  return composeText(header(spec, secrets, argv === undefined), doc);
}

function header(spec: DeploySpec, secrets: SecretRef[], argvUnknown: boolean): string[] {
  const lines = [
    `Instance ${spec.instanceName} (template ${spec.template}) as berth would run it on a Swarm.`,
    'Deploy with: docker stack deploy -c <this file> <stack>',
  ];
  for (const r of secrets)
    lines.push(`Create secret ${r.name} first (printf %s "$VALUE" | docker secret create ${r.name} -)`);
  if (secrets.length > 0 && argvUnknown)
    lines.push(
      'The image entrypoint is not known here: add it in front of `command` (the secret wrapper execs it).',
    );
  return lines;
}

function service(s: Dockerode.ServiceSpec, secrets: ReadonlySet<string>): Service {
  const c = taskOf(s).ContainerSpec ?? {};
  const esc = (list: string[] | undefined) => list?.map((a) => composeEscape(a, secrets));
  return {
    image: c.Image,
    ...(c.Command ? { entrypoint: esc(c.Command) } : {}),
    ...(c.Args ? { command: esc(c.Args) } : {}),
    environment: environmentOf(c.Env ?? [], secrets),
    labels: c.Labels,
    ...(c.User ? { user: c.User } : {}),
    ...(c.Dir ? { working_dir: c.Dir } : {}),
    init: c.Init,
    stop_grace_period: duration(c.StopGracePeriod ?? 0),
    ...healthcheckOf(c.HealthCheck, secrets),
    ports: (s.EndpointSpec?.Ports ?? []).map((p) => ({
      target: p.TargetPort,
      published: p.PublishedPort,
      protocol: p.Protocol,
      mode: p.PublishMode,
    })),
    volumes: (c.Mounts ?? []).map((m) => ({
      type: 'volume',
      source: m.Source,
      target: m.Target,
      ...(m.ReadOnly ? { read_only: true } : {}),
    })),
    secrets: (c.Secrets ?? []).map((r) => ({
      source: r.SecretName,
      target: r.File?.Name,
      uid: r.File?.UID,
      gid: r.File?.GID,
      mode: r.File?.Mode,
    })),
    deploy: deployOf(s),
  };
}

function deployOf(s: Dockerode.ServiceSpec): Service {
  const t = taskOf(s);
  const limits = t.Resources?.Limits ?? {};
  const r = t.RestartPolicy ?? {};
  return {
    mode: 'replicated',
    replicas: s.Mode?.Replicated?.Replicas,
    labels: s.Labels,
    ...(limits.MemoryBytes || limits.NanoCPUs
      ? {
          resources: {
            limits: {
              ...(limits.NanoCPUs ? { cpus: String(limits.NanoCPUs / 1e9) } : {}),
              ...(limits.MemoryBytes ? { memory: `${Math.round(limits.MemoryBytes / 1048576)}M` } : {}),
            },
          },
        }
      : {}),
    restart_policy: {
      condition: r.Condition,
      delay: duration(r.Delay ?? 0),
      max_attempts: r.MaxAttempts,
      window: duration(r.Window ?? 0),
    },
    placement: {
      constraints: t.Placement?.Constraints ?? [],
      ...(t.Placement?.MaxReplicas ? { max_replicas_per_node: t.Placement.MaxReplicas } : {}),
    },
    update_config: { parallelism: 0, order: 'stop-first', failure_action: 'pause' },
  };
}

function volumesOf(s: Dockerode.ServiceSpec): Service {
  const mounts = taskOf(s).ContainerSpec?.Mounts ?? [];
  if (mounts.length === 0) return {};
  return {
    volumes: Object.fromEntries(
      mounts.map((m) => [
        m.Source,
        // The named volume per instance stays on the node that wrote it, as under berth.
        { name: m.Source, labels: (m.VolumeOptions as { Labels?: Record<string, string> })?.Labels ?? {} },
      ]),
    ),
  };
}
