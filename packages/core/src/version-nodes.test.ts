import { ManualClock, memoryStore, sampleInstance } from '@berth/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.js';
import { silentLogger } from './logger.js';
import type { NodeKind, NodeRecord } from './node.js';
import type { NodeDriver, OpenedNode } from './nodes/node-driver.js';
import { NodeRegistry } from './nodes/node-registry.js';
import type { Store } from './store.js';
import { templateSchema } from './template.js';
import type { NodeImages } from './version-host.js';
import { VersionService } from './version-service.js';

/**
 * Image versions through the node drivers (issue 16 §2): VersionService asks the NodeRegistry for
 * a node's images, and says, node by node, installed, not, or why it cannot tell — never failing
 * the list. Engines are sets of tags here; test/versions-on-remote-node.test.ts runs a real one.
 */
class TagSet implements NodeImages {
  readonly tags = new Set<string>();
  down = false;
  constructor(readonly note?: string) {}
  async has(image: string) {
    if (this.down) throw new Error('connect EHOSTUNREACH 100.64.1.2:2375');
    return this.tags.has(image);
  }
  async pull(image: string) {
    this.tags.add(image);
  }
  async remove(image: string) {
    this.tags.delete(image);
  }
}

function driver(kind: NodeKind, node: Partial<OpenedNode>, cannotOpen?: string): NodeDriver {
  return {
    kind,
    parseConfig: () => ({}),
    open: async () => {
      if (cannotOpen) throw new Error(cannotOpen);
      return {
        runtimes: [],
        address: 'x',
        test: async () => ({ ok: true, version: 'v', latencyMs: 0 }),
        close: () => {},
        ...node,
      };
    },
  };
}

const record = (name: string, kind: NodeKind): NodeRecord => ({
  name,
  kind,
  host: name,
  config: {},
  createdAt: 0,
});

let store: Store & { close(): void };
afterEach(() => store.close());

describe('VersionService on nodes', () => {
  it('names each node: local, the one asked, and those its instances are placed on', async () => {
    const clock = new ManualClock();
    store = await memoryStore({ clock });
    const local = new TagSet();
    const far = new TagSet();
    const swarm = new TagSet("on the swarm's manager; its workers pull the image as they deploy");
    const kube = "berth does not see the images of node kube: they live on the cluster's kubelets";
    const registry = new NodeRegistry(silentLogger)
      .register(driver('local', { images: local }))
      .register(driver('docker', { images: far }))
      .register(driver('swarm', { images: swarm }))
      .register(driver('kubernetes', { imagesUnknown: kube }));
    for (const [n, k] of [
      ['local', 'local'],
      ['far', 'docker'],
      ['sw', 'swarm'],
      ['kube', 'kubernetes'],
    ] as const)
      await registry.open(record(n, k), { updateConfig: () => {} });
    const t = templateSchema.parse({
      name: 'box',
      source: { kind: 'image', image: 'b:1', versions: { v1: { tag: '1' }, v2: { tag: '2' } } },
    });
    store.templates.upsert({ template: t, origin: { kind: 'api' }, updatedAt: 0 });
    for (const [name, node] of [
      ['a', 'far'],
      ['b', 'sw'],
      ['c', 'kube'],
    ]) {
      store.instances.insert(sampleInstance({ name, template: 'box', node, config: { version: 'v2' } }));
    }
    const versions = new VersionService({
      store,
      events: new EventBus(store, clock),
      runtimes: registry,
      images: registry,
    });
    far.tags.add('b:2');
    const [v1, v2] = await versions.list('box');
    expect(v1?.nodes).toEqual([{ node: 'local', installed: false, note: null }]);
    expect(v2?.nodes).toEqual([
      { node: 'local', installed: false, note: null },
      { node: 'far', installed: true, note: null },
      { node: 'sw', installed: false, note: swarm.note },
      { node: 'kube', installed: null, note: kube },
    ]);
    far.down = true;
    const [, asked] = await versions.list('box', 'far');
    expect(asked?.installed).toBeNull();
    expect(asked?.nodes[1]?.note).toBe('node far is unreachable: connect EHOSTUNREACH 100.64.1.2:2375');
    await expect(versions.install('box', 'v2', 'kube')).rejects.toThrow(
      `cannot pull an image on node kube: ${kube}`,
    );
    await versions.install('box', 'v2', 'sw');
    expect(swarm.tags.has('b:2')).toBe(true);
  });
});
