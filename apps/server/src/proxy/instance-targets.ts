import { type EventBus, primaryHttpPort, type Store } from '@berth/core';

export type Target = { ok: true; port: number } | { ok: false; reason: string };

const TTL_MS = 2000;

/**
 * Where a proxied request for an instance goes: its primary HTTP port while it runs. Answers are
 * cached briefly and dropped on any event about the instance, so the hot path rarely reads SQLite.
 */
export class InstanceTargets {
  private readonly cache = new Map<string, { at: number; target: Target }>();

  constructor(
    private readonly store: Store,
    events: EventBus,
    private readonly ports: (id: string) => Record<string, number>,
  ) {
    events.subscribe((e) => {
      if (e.instanceName) this.cache.delete(e.instanceName);
    });
  }

  find(name: string): Target {
    const now = Date.now();
    const hit = this.cache.get(name);
    if (hit && now - hit.at < TTL_MS) return hit.target;
    const target = this.lookup(name);
    this.cache.set(name, { at: now, target });
    if (this.cache.size > 10_000) this.cache.clear();
    return target;
  }

  private lookup(name: string): Target {
    const inst = this.store.instances.findByName(name);
    if (!inst) return { ok: false, reason: `There is no instance named “${name}”.` };
    if (inst.status !== 'running') {
      return { ok: false, reason: `Instance “${name}” is ${inst.status}, not running.` };
    }
    const template = this.store.templates.find(inst.template)?.template;
    const spec = template ? primaryHttpPort(template) : undefined;
    const port = spec ? this.ports(inst.id)[spec.name] : undefined;
    if (port === undefined) return { ok: false, reason: `Instance “${name}” has no HTTP port.` };
    return { ok: true, port };
  }
}
