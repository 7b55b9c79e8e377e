import {
  type EventBus,
  type GatewayUpstream,
  type Instance,
  type PortGateway,
  primaryHttpPort,
  proxiedPorts,
  type Store,
} from '@berth/core';

export type Target =
  | { ok: true; host: string; port: number; gateway?: undefined }
  /** A node that does not publish the port (a ClusterIP Service): requests go through its gateway. */
  | { ok: true; gateway: () => Promise<GatewayUpstream>; host?: undefined; port?: undefined }
  | { ok: false; reason: string };

/** What InstanceTargets needs of a node that reaches its workloads through a gateway. */
export interface GatewayLookup {
  gateway(node: string): PortGateway | undefined;
  /** This installation's owner id, which names its objects on a cluster. */
  owner: string;
}

const TTL_MS = 2000;

/**
 * Where a proxied request for an instance goes: `<node address>:<host port>` of the port the
 * template's `proxy` names (`web-1`), or of a named port (`metrics.web-1`, from
 * `metrics.web-1.localhost`), while the instance runs. Answers are cached briefly and dropped on any
 * event about the instance, so the hot path rarely reads SQLite.
 */
export class InstanceTargets {
  private readonly cache = new Map<string, { at: number; target: Target }>();

  constructor(
    private readonly store: Store,
    events: EventBus,
    private readonly ports: (id: string) => Record<string, number>,
    /** The address a node's published ports are reached at (127.0.0.1 for this machine). */
    private readonly nodeAddress: (node: string) => string = () => '127.0.0.1',
    private readonly gateways?: GatewayLookup,
  ) {
    events.subscribe((e) => {
      if (!e.instanceName) return;
      for (const key of this.cache.keys())
        if (key === e.instanceName || key.endsWith(`.${e.instanceName}`)) this.cache.delete(key);
    });
  }

  /** `key` is an instance's name (its proxy port) or `<port>.<name>` (that named port). */
  find(key: string): Target {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < TTL_MS) return hit.target;
    const target = this.lookup(key);
    this.cache.set(key, { at: now, target });
    if (this.cache.size > 10_000) this.cache.clear();
    return target;
  }

  private lookup(key: string): Target {
    const dot = key.indexOf('.');
    const name = dot < 0 ? key : key.slice(dot + 1);
    const portName = dot < 0 ? undefined : key.slice(0, dot);
    const inst = this.store.instances.findByName(name);
    if (!inst) return { ok: false, reason: `There is no instance named “${name}”.` };
    if (inst.status !== 'running') {
      return { ok: false, reason: `Instance “${name}” is ${inst.status}, not running.` };
    }
    const template = this.store.templates.find(inst.template)?.template;
    if (portName === undefined) {
      const spec = template ? primaryHttpPort(template) : undefined;
      const port = spec ? this.ports(inst.id)[spec.name] : undefined;
      if (port === undefined || !spec) return { ok: false, reason: `Instance “${name}” has no HTTP port.` };
      return this.at(inst, spec.name, port);
    }
    const proxied = template ? proxiedPorts(template).map((p) => p.name) : [];
    const port = proxied.includes(portName) ? this.ports(inst.id)[portName] : undefined;
    if (port === undefined) {
      const list =
        proxied.length > 0 ? `its proxied ports are ${proxied.join(', ')}` : 'it has no proxied port';
      return { ok: false, reason: `Instance “${name}” has no proxied port “${portName}”: ${list}.` };
    }
    return this.at(inst, portName, port);
  }

  /** The node's address and the port, or its gateway when it does not publish ports (asked once per target). */
  private at(inst: Instance, portName: string, port: number): Target {
    const gateway = this.gateways?.gateway(inst.node);
    if (!gateway) return { ok: true, host: this.nodeAddress(inst.node), port };
    const owner = this.gateways!.owner;
    let upstream: Promise<GatewayUpstream> | undefined;
    return {
      ok: true,
      gateway: () => {
        upstream ??= gateway.upstream({ instanceId: inst.id, instanceName: inst.name, owner }, portName);
        // A failed lookup is not kept: the next request asks again.
        upstream.catch(() => {
          upstream = undefined;
        });
        return upstream;
      },
    };
  }
}
