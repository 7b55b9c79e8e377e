import { containerImageOf, type DeploySpec, type RestartPolicy } from '@berth/core';
import { composeEscape, composeText, environmentOf, healthcheckOf } from './compose-text.js';
import { containerConfig } from './container-config.js';
import { healthCheck } from './swarm/service-spec.js';
import { type DataVolumeMode, volumeMounts } from './volume-mounts.js';

export interface ComposeExportOptions {
  /** Host address published ports bind to (the docker node's; default all). */
  hostIp?: string;
  /** How `data` volumes are made: a bind of the instance's data directory (node local) or a named volume. */
  dataVolumes?: DataVolumeMode;
}

/**
 * `berth export --format compose`: a compose file for one Docker host, from the container berth's
 * docker runtime creates (image, entrypoint, command, env, labels, ports, mounts, limits) plus the
 * template's health check and restart policy, which berth itself runs there. A secret env entry is
 * `${NAME}`, which compose fills from the environment or an .env file: no secret value is in it.
 */
export function composeFile(spec: DeploySpec, opts: ComposeExportOptions = {}): string {
  const secrets = new Set((spec.secretEnv ?? []).filter((k) => k in spec.env));
  const env = Object.fromEntries(
    Object.entries(spec.env).map(([k, v]) => [k, secrets.has(k) ? `\${${k}}` : v]),
  );
  const mounts = volumeMounts(spec, opts.dataVolumes ?? 'bind');
  const c = containerConfig({
    spec: { ...spec, env },
    name: spec.instanceName,
    image: containerImageOf(spec)?.image ?? '',
    mounts,
    hostIp: opts.hostIp ?? '0.0.0.0',
  });
  const esc = (list: string[] | undefined) => list?.map((a) => composeEscape(a, secrets));
  const host = c.HostConfig ?? {};
  const service = {
    image: c.Image,
    ...(c.Entrypoint ? { entrypoint: esc([c.Entrypoint].flat()) } : {}),
    ...(c.Cmd ? { command: esc([c.Cmd].flat()) } : {}),
    environment: environmentOf(c.Env ?? [], secrets),
    labels: c.Labels,
    ...(c.User ? { user: c.User } : {}),
    ...(c.WorkingDir ? { working_dir: c.WorkingDir } : {}),
    init: host.Init,
    restart: restartOf(spec.restart),
    stop_grace_period: `${Math.round(spec.stopTimeoutMs)}ms`,
    ...(host.Memory ? { mem_limit: `${Math.round(host.Memory / 1048576)}m` } : {}),
    ...(host.NanoCpus ? { cpus: host.NanoCpus / 1e9 } : {}),
    ...healthcheckOf(spec.health ? healthCheck(spec.health, spec) : undefined, secrets),
    ports: Object.entries(host.PortBindings ?? {}).flatMap(([key, binds]) =>
      (binds as { HostIp: string; HostPort: string }[]).map((b) =>
        [b.HostIp === '0.0.0.0' ? '' : `${b.HostIp}:`, `${b.HostPort}:${key}`].join(''),
      ),
    ),
    volumes: mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`),
  };
  const named = mounts.filter((m) => m.type === 'volume');
  const doc = {
    // 2.4: the last format docker-compose v1 reads for one host with init, mem_limit and cpus.
    version: '2.4',
    services: { [spec.instanceName]: service },
    ...(named.length > 0
      ? { volumes: Object.fromEntries(named.map((m) => [m.source, { name: m.source }])) }
      : {}),
  };
  const header = [
    `Instance ${spec.instanceName} (template ${spec.template}) as berth would run it on one Docker host.`,
    'Start with: docker compose -f <this file> up -d (or docker-compose)',
    ...[...secrets].map(
      (k) => `Set ${k} in the environment or an .env file beside this file: its value is secret.`,
    ),
  ];
  return composeText(header, doc);
}

/** berth's restart policy as Docker's own (berth restarts containers itself; a compose file has the engine do it). */
function restartOf(policy: RestartPolicy | undefined): string {
  const p = policy ?? { policy: 'on-failure', maxRetries: 5 };
  if (p.policy === 'never') return 'no';
  if (p.policy === 'always') return 'always';
  return `on-failure:${p.maxRetries}`;
}
