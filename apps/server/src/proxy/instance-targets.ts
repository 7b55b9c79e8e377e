import { type EventBus, primaryHttpPort, proxiedPorts, type Store } from '@berth/core';

export type Target = { ok: true; host: string; port: number } | { ok: false; reason: string };

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
      if (port === undefined) return { ok: false, reason: `Instance “${name}” has no HTTP port.` };
      return { ok: true, host: this.nodeAddress(inst.node), port };
    }
    const proxied = template ? proxiedPorts(template).map((p) => p.name) : [];
    const port = proxied.includes(portName) ? this.ports(inst.id)[portName] : undefined;
    if (port === undefined) {
      const list =
        proxied.length > 0 ? `its proxied ports are ${proxied.join(', ')}` : 'it has no proxied port';
      return { ok: false, reason: `Instance “${name}” has no proxied port “${portName}”: ${list}.` };
    }
    return { ok: true, host: this.nodeAddress(inst.node), port };
  }
}
