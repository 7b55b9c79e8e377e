import {
  type ContainerImage,
  containerImageOf,
  containerPortOf,
  type DeploySpec,
  type ResolvedPort,
} from '@berth/core';
import type Dockerode from 'dockerode';
import { berthLabels, portLabels } from './berth-labels.js';
import type { VolumeMount } from './volume-mounts.js';

export interface ContainerConfigInput {
  spec: DeploySpec;
  name: string;
  image: string;
  mounts: VolumeMount[];
  /** Host address published ports bind to. */
  hostIp: string;
}

type PortBindings = Record<string, { HostIp: string; HostPort: string }[]>;

/** berth's neutral deploy spec → Engine API create options. Pure. */
export function containerConfig(input: ContainerConfigInput): Dockerode.ContainerCreateOptions {
  const { spec, name, image, mounts, hostIp } = input;
  const run: Partial<ContainerImage> = containerImageOf(spec) ?? {};
  const bindings = portBindings(spec.ports, hostIp);
  return {
    name,
    Image: image,
    ...(run.args ? { Cmd: run.args } : {}),
    ...(run.entrypoint ? { Entrypoint: run.entrypoint } : {}),
    ...(run.user ? { User: run.user } : {}),
    ...(run.workdir ? { WorkingDir: run.workdir } : {}),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: { ...berthLabels(spec), ...portLabels(spec.ports) },
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((k) => [k, {}])),
    HostConfig: {
      Init: run.init !== false,
      RestartPolicy: { Name: 'no' },
      PortBindings: bindings,
      Mounts: mounts.map((m) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
      ...resourceLimits(spec.resources),
    },
  };
}

export function portBindings(ports: ResolvedPort[], hostIp: string): PortBindings {
  const out: PortBindings = {};
  for (const p of ports) {
    // A command template in a container listens on the port berth passes in: host and container port are one.
    const key = `${containerPortOf(p)}/${p.protocol}`;
    out[key] = [...(out[key] ?? []), { HostIp: hostIp, HostPort: String(p.hostPort) }];
  }
  return out;
}

function resourceLimits(resources: DeploySpec['resources']): Dockerode.HostConfig {
  const out: Dockerode.HostConfig = {};
  if (resources?.memoryMb) out.Memory = Math.round(resources.memoryMb * 1024 * 1024);
  if (resources?.cpus) out.NanoCpus = Math.round(resources.cpus * 1e9);
  return out;
}
