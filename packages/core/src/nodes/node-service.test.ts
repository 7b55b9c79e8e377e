import { ManualClock, memoryStore, ScriptedRuntime, sampleInstance, sampleTemplate } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Conflict, InvalidInput, NotFound, RuntimeUnavailable, Unprocessable } from '../errors.js';
import { EventBus } from '../event-bus.js';
import { silentLogger } from '../logger.js';
import type { NodeRecord } from '../node.js';
import type { Store } from '../store.js';
import type { NodeDriver, NodeDriverHooks, NodeProbe, OpenedNode } from './node-driver.js';
import { NodeRegistry } from './node-registry.js';
import { NodeService } from './node-service.js';

/**
 * A driver of a made-up kind whose nodes answer as the test says: `up` or down with a reason,
 * an ssh-like host key seen on first use, a record that cannot be opened.
 */
class FakeDriver implements NodeDriver {
  readonly up = new Map<string, boolean>();
  readonly opened: string[] = [];
  readonly closed: string[] = [];
  readonly firstKey = new Map<string, string>();
  /** The time each look at a node was given, in order. */
  readonly lookTimeouts: number[] = [];
  cannotOpen: string | undefined;

  constructor(readonly kind: 'docker' | 'local') {}

  parseConfig(input: unknown): Record<string, unknown> {
    const o = (input ?? {}) as Record<string, unknown>;
    if (typeof o.endpoint !== 'string')
      throw new InvalidInput('endpoint is required', { details: { field: 'endpoint' } });
    return { ...o };
  }

  updateConfig(config: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
    if (patch.hostKey !== undefined && patch.hostKey !== null && !String(patch.hostKey).startsWith('SHA256:'))
      throw new InvalidInput('hostKey is not a fingerprint', { details: { field: 'hostKey' } });
    const next = { ...config };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    return next;
  }

  async open(record: NodeRecord, hooks: NodeDriverHooks): Promise<OpenedNode> {
    if (this.cannotOpen) throw new InvalidInput(this.cannotOpen);
    this.opened.push(record.name);
    // Like an ssh connection, the node pins the key it trusted on first use.
    let pinned = record.config.hostKey;
    const runtime = new ScriptedRuntime({ kind: this.kind === 'local' ? 'process' : 'docker' });
    return {
      runtimes: [{ runtime, sources: this.kind === 'local' ? ['command'] : ['image', 'build'] }],
      portSource: {
        name: `fake ${record.name}`,
        taken: async (host) =>
          host === record.host ? [{ port: 8080, protocol: 'tcp', usedBy: record.name }] : [],
      } as OpenedNode['portSource'] & object,
      address: this.kind === 'local' ? '127.0.0.1' : `${record.name}.lan`,
      test: async (timeoutMs): Promise<NodeProbe> => {
        this.lookTimeouts.push(timeoutMs);
        if (!(this.up.get(record.name) ?? true))
          return { ok: false, reason: 'refused', message: `${record.name} refused the connection` };
        const seen = this.firstKey.get(record.name);
        if (seen && pinned === undefined) {
          pinned = seen;
          hooks.updateConfig({ hostKey: seen });
        }
        return {
          ok: true,
          version: 'Fake 1.0',
          latencyMs: 2,
          details: { apiVersion: '1.41', ...(seen ? { hostKey: { fingerprint: seen, from: 'node' } } : {}) },
        };
      },
      close: () => this.closed.push(record.name),
      unsupported: (source) => `node ${record.name} is a fake node; ${source} templates run elsewhere`,
    };
  }
}

describe('NodeRegistry and NodeService', () => {
  let store: Store & { close(): void };
  let docker: FakeDriver;
  let registry: NodeRegistry;
  let nodes: NodeService;

  beforeEach(async () => {
    const clock = new ManualClock();
    store = await memoryStore({ clock });
    docker = new FakeDriver('docker');
    registry = new NodeRegistry(silentLogger).register(new FakeDriver('local')).register(docker);
    nodes = new NodeService({ store, registry, clock, log: silentLogger });
    await nodes.openAll();
  });
  afterEach(() => store.close());

  it('opens node local through its driver and resolves its runtimes by source kind', () => {
    expect(registry.resolve('local', 'command').kind).toBe('process');
    expect(registry.hostOf('local')).toBe('local');
    expect(() => registry.resolve('local', 'image')).toThrow(RuntimeUnavailable);
    expect(() => registry.resolve('nowhere', 'command')).toThrow(NotFound);
    expect(() => registry.hostOf('nowhere')).toThrow(NotFound);
  });

  it('adds a node that answers: stored, opened, its runtimes and ports known', async () => {
    const added = await nodes.add({ name: 'box', config: { endpoint: 'tcp://box:2375' } });
    expect(added).toMatchObject({ name: 'box', kind: 'docker', host: 'box' });
    expect(store.nodes.find('box')).toEqual(added);
    expect(registry.resolve('box', 'image').kind).toBe('docker');
    expect(() => registry.resolve('box', 'command')).toThrow('box is a fake node; command templates');
    expect(registry.all().map((r) => `${r.node}:${r.runtime.kind}`)).toEqual(['local:process', 'box:docker']);
    expect(await registry.taken('box')).toEqual([{ port: 8080, protocol: 'tcp', usedBy: 'box' }]);
    expect(await registry.taken('elsewhere')).toEqual([]);
    const state = await nodes.get('box');
    expect(state).toMatchObject({ status: 'ready', runtimes: ['docker'], message: null });
    expect(state.address).toEqual({ address: 'box', from: 'endpoint' });
  });

  it('refuses a node that does not answer, saying why, and keeps nothing of it', async () => {
    docker.up.set('down', false);
    const err = await nodes.add({ name: 'down', config: { endpoint: 'tcp://down:2375' } }).catch((e) => e);
    expect(err).toBeInstanceOf(Unprocessable);
    expect(err.code).toBe('NODE_UNREACHABLE');
    expect(err.message).toContain('down refused the connection');
    expect(err.message).toContain('force');
    expect(store.nodes.find('down')).toBeUndefined();
    expect(registry.has('down')).toBe(false);
    expect(docker.closed).toContain('down');
  });

  it('saves an unreachable node with force; it shows unreachable, then ready once it answers', async () => {
    docker.up.set('down', false);
    await nodes.add({ name: 'down', config: { endpoint: 'tcp://down:2375' }, force: true });
    expect(await nodes.get('down')).toMatchObject({
      status: 'unreachable',
      message: 'down refused the connection',
    });
    docker.up.set('down', true);
    expect(await nodes.get('down')).toMatchObject({ status: 'ready', message: null });
  });

  it('refuses a kind no driver serves, listing the kinds there are', async () => {
    for (const kind of ['kubernetes', 'local']) {
      const err = await nodes.add({ name: 'k', kind, config: { endpoint: 'x' } }).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidInput);
      expect(err.details).toEqual({ field: 'kind', kinds: ['docker'] });
      expect(err.message).toContain(`got '${kind}'`);
    }
    const bad = await nodes.add({ name: 'k', config: {} }).catch((e) => e);
    expect(bad.details).toEqual({ field: 'endpoint' });
  });

  it('refuses a name that is taken, and local', async () => {
    await nodes.add({ name: 'box', config: { endpoint: 'tcp://box' } });
    for (const name of ['box', 'local'])
      await expect(nodes.add({ name, config: { endpoint: 'tcp://x' } })).rejects.toThrow(Conflict);
  });

  it('records a host key trusted on first use during the add, and reports it once as recorded', async () => {
    docker.firstKey.set('ssh-b', 'SHA256:first');
    await nodes.add({ name: 'ssh-b', config: { endpoint: 'ssh://b' } });
    expect(store.nodes.find('ssh-b')?.config.hostKey).toBe('SHA256:first');
    expect((await nodes.get('ssh-b')).hostKey).toEqual({
      fingerprint: 'SHA256:first',
      from: 'node',
      recorded: true,
    });
    expect(await nodes.test('ssh-b')).toMatchObject({
      ok: true,
      apiVersion: '1.41',
      hostKey: { fingerprint: 'SHA256:first', from: 'node', recorded: false },
    });
  });

  it('keeps a node whose record cannot be opened, marked with why', async () => {
    store.nodes.upsert({
      name: 'gone',
      kind: 'docker',
      host: 'gone',
      config: { endpoint: 'tcp://g' },
      createdAt: 1,
    });
    docker.cannotOpen = 'tls.ca file /x/ca.pem cannot be read';
    const again = new NodeRegistry(silentLogger).register(docker);
    const service = new NodeService({ store, registry: again, clock: new ManualClock(), log: silentLogger });
    await service.openAll();
    expect(again.hostOf('gone')).toBe('gone');
    expect(() => again.resolve('gone', 'image')).toThrow('node gone cannot be used: tls.ca file');
    expect(again.brokenReason('gone')).toBe('tls.ca file /x/ca.pem cannot be read');
    // A stored node of a kind this server has no driver for is kept, saying so.
    store.nodes.upsert({ name: 'k8s', kind: 'kubernetes', host: 'k8s', config: {}, createdAt: 1 });
    await service.openAll();
    expect(await service.get('k8s')).toMatchObject({
      status: 'unreachable',
      message: 'this server has no driver for kubernetes nodes',
    });
    expect(await service.get('gone')).toMatchObject({
      status: 'unreachable',
      message: 'tls.ca file /x/ca.pem cannot be read',
    });
  });

  it('updates through the driver: all fields checked before any is stored; the node opens again', async () => {
    await nodes.add({ name: 'box', config: { endpoint: 'ssh://box' } });
    await expect(nodes.update('box', { publicAddress: 'b.lan', hostKey: 'nope' })).rejects.toThrow(
      InvalidInput,
    );
    expect(store.nodes.find('box')?.config).toEqual({ endpoint: 'ssh://box' });
    const opens = docker.opened.length;
    await nodes.update('box', { publicAddress: 'b.lan', hostKey: 'SHA256:k' });
    expect(store.nodes.find('box')?.config).toEqual({
      endpoint: 'ssh://box',
      publicAddress: 'b.lan',
      hostKey: 'SHA256:k',
    });
    expect(docker.opened.length).toBe(opens + 1);
    expect(nodes.address('box')).toBe('b.lan');
    await nodes.update('box', { publicAddress: null });
    expect(nodes.address('box')).toBe('box');
    // An address alone keeps the node's connections.
    expect(docker.opened.length).toBe(opens + 1);
    await expect(nodes.update('local', { publicAddress: 'x' })).rejects.toThrow(InvalidInput);
    await expect(nodes.update('nowhere', { publicAddress: 'x' })).rejects.toThrow(NotFound);
  });

  it('gives the first look after a host-key change (a new connection) as long as an add, the next ones a status look', async () => {
    await nodes.add({ name: 'box', config: { endpoint: 'ssh://box' } });
    await nodes.get('box');
    expect(docker.lookTimeouts).toEqual([10_000, 3_000]);
    await nodes.update('box', { hostKey: 'SHA256:k' });
    expect((await nodes.get('box')).status).toBe('ready');
    await nodes.get('box');
    await nodes.test('box');
    expect(docker.lookTimeouts).toEqual([10_000, 3_000, 10_000, 3_000, 5_000]);
    // An address alone keeps the connection: no longer look.
    await nodes.update('box', { publicAddress: 'b.lan' });
    await nodes.get('box');
    expect(docker.lookTimeouts.at(-1)).toBe(3_000);
  });

  it('removes a node only once no instance uses it', async () => {
    await nodes.add({ name: 'box', config: { endpoint: 'tcp://box' } });
    store.templates.upsert(sampleTemplate('web'));
    store.instances.insert(sampleInstance({ node: 'box' }));
    expect(() => nodes.remove('box')).toThrow(expect.objectContaining({ code: 'NODE_IN_USE' }));
    store.instances.delete('id-web-1');
    nodes.remove('box');
    expect(store.nodes.find('box')).toBeUndefined();
    expect(() => registry.hostOf('box')).toThrow(NotFound);
    expect(docker.closed).toContain('box');
    expect(() => nodes.remove('local')).toThrow(Conflict);
  });
});

describe('node reachability on the EventBus', () => {
  let store: Store & { close(): void };
  let clock: ManualClock;
  let docker: FakeDriver;
  let nodes: NodeService;
  const told = () =>
    store.events
      .list()
      .filter((e) => e.type === 'node.status')
      .map((e) => ({ message: e.message, data: e.data }));

  beforeEach(async () => {
    clock = new ManualClock();
    store = await memoryStore({ clock });
    docker = new FakeDriver('docker');
    const registry = new NodeRegistry(silentLogger).register(new FakeDriver('local')).register(docker);
    nodes = new NodeService({
      store,
      registry,
      clock,
      log: silentLogger,
      events: new EventBus(store, clock),
    });
    await nodes.openAll();
  });
  afterEach(() => store.close());

  it('tells a node going away once, however often it is looked at, and tells it back once', async () => {
    await nodes.add({ name: 'box', config: { endpoint: 'tcp://box' } });
    const stop = nodes.watch(1_000);
    await clock.advance(1_000);
    expect(told()).toEqual([]); // first seen ready: nothing to tell
    docker.up.set('box', false);
    // The watch looks again on its own (a pass still out when the next is due waits for the one after).
    for (let i = 0; i < 20 && told().length === 0; i++) await clock.advance(1_000);
    await nodes.list();
    await nodes.test('box');
    await clock.advance(3_000);
    expect(told()).toEqual([
      {
        message: 'node box is unreachable: box refused the connection',
        data: { node: 'box', from: 'ready', to: 'unreachable', reason: 'box refused the connection' },
      },
    ]);
    docker.up.set('box', true);
    await nodes.get('box');
    await clock.advance(2_000);
    expect(told().map((t) => t.message)).toEqual([
      'node box is unreachable: box refused the connection',
      'node box is reachable again',
    ]);
    stop();
  });

  it('tells a node first seen unreachable, and forgets a removed one', async () => {
    docker.up.set('far', false);
    await nodes.add({ name: 'far', config: { endpoint: 'tcp://far' }, force: true });
    await nodes.list();
    expect(told()).toEqual([
      {
        message: 'node far is unreachable: far refused the connection',
        data: { node: 'far', from: null, to: 'unreachable', reason: 'far refused the connection' },
      },
    ]);
    nodes.remove('far');
    docker.up.set('far', true);
    await nodes.add({ name: 'far', config: { endpoint: 'tcp://far' } });
    await nodes.list();
    expect(told()).toHaveLength(1);
  });
});
