import type { DeploySpec, ResolvedPort } from '@berth/core';

/** The label keys berth puts on everything it creates in a Docker engine. */
export const LABEL = {
  managed: 'berth.managed',
  owner: 'berth.owner',
  instance: 'berth.instance',
  instanceId: 'berth.instance-id',
  template: 'berth.template',
  node: 'berth.node',
  /** `berth.port.<name>` = `<hostPort>:<containerPort>/<protocol>`. */
  portPrefix: 'berth.port.',
  volumeTarget: 'berth.volume-target',
  /** On a Swarm service's volumes: `data` (the instance's data directory) or `volume` (a named volume of the template). */
  volumeKind: 'berth.volume-kind',
  /** Set by runtimes other than `docker` on their containers (`compose`), so each lists only its own. */
  runtime: 'berth.runtime',
} as const;

/** berth's own labels for a workload of `spec`; the spec's labels come first and cannot override them. */
export function berthLabels(spec: DeploySpec): Record<string, string> {
  return {
    ...spec.labels,
    [LABEL.managed]: 'true',
    [LABEL.owner]: spec.owner,
    [LABEL.instance]: spec.instanceName,
    [LABEL.instanceId]: spec.instanceId,
    [LABEL.template]: spec.template,
    [LABEL.node]: spec.node,
  };
}

export function portLabels(ports: ResolvedPort[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of ports) {
    if (p.containerPort === null) continue;
    out[LABEL.portPrefix + p.name] = `${p.hostPort}:${p.containerPort}/${p.protocol}`;
  }
  return out;
}

export interface LabelledPort {
  name: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** Reads the `berth.port.*` labels back. */
export function portsFromLabels(labels: Record<string, string>): LabelledPort[] {
  const out: LabelledPort[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(LABEL.portPrefix)) continue;
    const m = /^(\d+):(\d+)\/(tcp|udp)$/.exec(value);
    if (!m) continue;
    out.push({
      name: key.slice(LABEL.portPrefix.length),
      hostPort: Number(m[1]),
      containerPort: Number(m[2]),
      protocol: m[3] as 'tcp' | 'udp',
    });
  }
  return out;
}

export function isBerthManaged(labels: Record<string, string> | undefined | null): boolean {
  return labels?.[LABEL.managed] === 'true';
}
