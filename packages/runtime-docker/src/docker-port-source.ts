import type { Logger, PortSource, TakenPort } from '@berth/core';
import type Dockerode from 'dockerode';
import { LABEL } from './berth-labels.js';
import { ENGINE_DEADLINE_MS, withDeadline } from './engine-deadline.js';
import { loggedCall } from './logged-call.js';

export interface DockerPortSourceOptions {
  /**
   * How long one answer is reused (ms). Default 0: only asks that overlap share one engine call,
   * so a preflight never misses a container started a moment before.
   */
  ttlMs?: number;
  now?: () => number;
  /** How long the engine may take to answer (ENGINE_DEADLINE_MS). */
  readDeadlineMs?: number;
}

/**
 * Ports published by every running container on one engine — berth's and everyone else's — as
 * taken ports of the host key that engine serves ('local' or a node's host).
 */
export class DockerPortSource implements PortSource {
  readonly name: string;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly readDeadlineMs: number;
  private cached: { at: number; ports: Promise<TakenPort[]>; pending: boolean } | undefined;

  constructor(
    private readonly docker: Dockerode,
    private readonly host: string,
    private readonly log: Logger,
    opts: DockerPortSourceOptions = {},
  ) {
    this.name = `docker:${host}`;
    this.ttlMs = opts.ttlMs ?? 0;
    this.now = opts.now ?? Date.now;
    this.readDeadlineMs = opts.readDeadlineMs ?? ENGINE_DEADLINE_MS.local;
  }

  async taken(host: string): Promise<TakenPort[]> {
    if (host !== this.host) return [];
    const c = this.cached;
    if (c && (c.pending || this.now() - c.at < this.ttlMs)) return c.ports;
    const ports = this.fetchPorts();
    const entry = { at: this.now(), ports, pending: true };
    this.cached = entry;
    ports.then(
      () => {
        entry.pending = false;
        entry.at = this.now();
      },
      () => {
        if (this.cached === entry) this.cached = undefined;
      },
    );
    return ports;
  }

  private async fetchPorts(): Promise<TakenPort[]> {
    const containers = await loggedCall(this.log, `listing of published ports on ${this.host}`, () =>
      withDeadline(
        this.host,
        'listing of published ports',
        (abortSignal) => this.docker.listContainers({ abortSignal }),
        this.readDeadlineMs,
      ),
    );
    return containers.flatMap(publishedBy);
  }
}

/** The distinct host ports one container publishes. */
export function publishedBy(c: Dockerode.ContainerInfo): TakenPort[] {
  const name = (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
  const seen = new Set<string>();
  const out: TakenPort[] = [];
  for (const p of c.Ports ?? []) {
    if (!p.PublicPort || (p.Type !== 'tcp' && p.Type !== 'udp')) continue;
    const protocol = p.Type;
    const key = `${protocol}/${p.PublicPort}`;
    if (seen.has(key)) continue; // IPv4 and IPv6 bindings of one port
    seen.add(key);
    const instanceId = c.Labels?.[LABEL.instanceId];
    out.push({
      port: p.PublicPort,
      protocol,
      usedBy: `Docker container ${name}`,
      kind: 'container',
      ...(instanceId ? { instanceId } : {}),
    });
  }
  return out;
}
