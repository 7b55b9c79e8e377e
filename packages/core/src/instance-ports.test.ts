// The instance list asks for the ports of every instance it shows: `portsOfMany` answers from the
// list in hand (no instance read again, each template once, the leases in one read for a long
// list) and says exactly what `ports(id)` says for each.
import type { Instance, Store } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPortsOfMany } from './instance-ports.js';

let w: ReconcilerWorld;

beforeEach(async () => {
  w = await reconcilerWorld();
  w.template({ name: 'web', ports: [{ name: 'http', env: 'PORT', range: [20100, 20199] }] });
  w.template({
    name: 'api',
    ports: [
      { name: 'http', env: 'PORT', range: [20200, 20299] },
      { name: 'admin', env: 'ADMIN_PORT', preferred: 20300, fixed: true },
    ],
  });
});
afterEach(() => w.close());

const idle = (template: string, name: string, ports?: Record<string, number>) =>
  w.instances.create({ template, name, start: false, ...(ports ? { ports } : {}) });

function one(list: Instance[], name: string): Instance {
  return list.find((i) => i.name === name)!;
}

/**
 * The ports of a list through a view of the real store that counts the reads they cost, by
 * `<repository>.<method>` (the store's own repositories still answer every read).
 */
function portsCounting(list: Instance[]) {
  const reads: Record<string, number> = {};
  const counted = (name: string, repo: object) =>
    new Proxy(repo, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          reads[`${name}.${String(key)}`] = (reads[`${name}.${String(key)}`] ?? 0) + 1;
          return value.apply(target, args);
        };
      },
    });
  const store = {
    templates: counted('templates', w.store.templates),
    instances: counted('instances', w.store.instances),
    leases: counted('leases', w.store.leases),
  } as unknown as Store;
  return { ports: readPortsOfMany(store, list), reads };
}

describe('the ports of a list of instances', () => {
  it('are what ports(id) says for each: leases, and pins still waiting for a start', async () => {
    await w.instances.create({ template: 'web', name: 'running' }, { wait: true });
    await idle('web', 'holder', { http: 20150 });
    await idle('web', 'waiting', { http: 20150 }); // 20150 is held: the pin waits, unleased
    await idle('api', 'fixed-1');
    await idle('api', 'fixed-2'); // its fixed admin port is fixed-1's lease
    const list = w.instances.list();
    const many = w.instances.portsOfMany(list);
    for (const inst of list) expect(many.get(inst.id), inst.name).toEqual(w.instances.ports(inst.id));
    expect(w.store.leases.listByOwner(one(list, 'waiting').id)).toEqual([]);
    expect(many.get(one(list, 'waiting').id)).toEqual({ http: 20150 });
    expect(many.get(one(list, 'fixed-2').id)?.admin).toBe(20300);
    expect(many.get(one(list, 'running').id)?.http).toBeGreaterThanOrEqual(20100);
  });

  it('of a long list read the leases once and each template once, never an instance', async () => {
    for (let i = 1; i <= 30; i++) await idle('web', `web-${i}`);
    for (let i = 1; i <= 30; i++) await idle('api', `api-${i}`, { admin: 20300 + i });
    const list = w.instances.list();
    const { ports, reads } = portsCounting(list);
    expect(reads).toEqual({ 'leases.listAll': 1, 'templates.find': 2 });
    expect(ports).toEqual(w.instances.portsOfMany(list));
    expect(ports.size).toBe(60);
    expect(ports.get(one(list, 'api-7').id)?.admin).toBe(20307);
  });

  it('of a short list read each one’s leases, and no template for running instances', async () => {
    await w.instances.create({ template: 'web', name: 'a' }, { wait: true });
    await w.instances.create({ template: 'api', name: 'b' }, { wait: true });
    const list = w.instances.list();
    const { ports, reads } = portsCounting(list);
    expect(reads).toEqual({ 'leases.listByOwner': 2 });
    expect(Object.keys(ports.get(one(list, 'b').id) ?? {}).sort()).toEqual(['admin', 'http']);
  });
});
