import type { Logger, PortSource, TakenPort } from '@berth/core';
import type Dockerode from 'dockerode';
import { LABEL } from '../berth-labels.js';
import { publishedBy } from '../docker-port-source.js';
import { ENGINE_DEADLINE_MS, withDeadline } from '../engine-deadline.js';
import { loggedCall } from '../logged-call.js';

interface ServicePorts {
  Spec: { Name: string; Labels?: Record<string, string>; EndpointSpec?: { Ports?: Dockerode.PortConfig[] } };
  Endpoint?: { Ports?: Dockerode.PortConfig[] };
}

/**
 * A swarm is one port space: a port published by any service — berth's or anyone's, in host mode
 * (on whichever node its tasks land) or through the routing mesh (on every node) — is taken on the
 * berth node that is the swarm. So are the ports plain containers publish on the manager's engine,
 * where a host-mode task could also land.
 */
export class SwarmPortSource implements PortSource {
  readonly name: string;

  constructor(
    private readonly docker: Dockerode,
    private readonly host: string,
    private readonly log: Logger,
    private readonly readDeadlineMs: number = ENGINE_DEADLINE_MS.local,
  ) {
    this.name = `swarm:${host}`;
  }

  async taken(host: string): Promise<TakenPort[]> {
    if (host !== this.host) return [];
    const [services, containers] = await loggedCall(this.log, `listing of published ports on ${host}`, () =>
      withDeadline(
        host,
        'listing of published ports',
        (abortSignal) =>
          Promise.all([
            this.docker.listServices({ abortSignal }) as unknown as Promise<ServicePorts[]>,
            this.docker.listContainers({ abortSignal }),
          ]),
        this.readDeadlineMs,
      ),
    );
    const out = new Map<string, TakenPort>();
    for (const s of services) for (const p of servicePorts(s)) out.set(`${p.protocol}/${p.port}`, p);
    for (const c of containers) {
      for (const p of publishedBy(c))
        if (!out.has(`${p.protocol}/${p.port}`)) out.set(`${p.protocol}/${p.port}`, p);
    }
    return [...out.values()];
  }
}

/** The distinct ports one service publishes, as its spec asks and as the swarm assigned them. */
export function servicePorts(s: ServicePorts): TakenPort[] {
  const instanceId = s.Spec.Labels?.[LABEL.instanceId];
  const seen = new Set<string>();
  const out: TakenPort[] = [];
  for (const p of [...(s.Spec.EndpointSpec?.Ports ?? []), ...(s.Endpoint?.Ports ?? [])]) {
    const protocol = p.Protocol ?? 'tcp';
    if (!p.PublishedPort || (protocol !== 'tcp' && protocol !== 'udp')) continue;
    const key = `${protocol}/${p.PublishedPort}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      port: p.PublishedPort,
      protocol,
      usedBy: `Swarm service ${s.Spec.Name}`,
      kind: 'service',
      ...(instanceId ? { instanceId } : {}),
    });
  }
  return out;
}
