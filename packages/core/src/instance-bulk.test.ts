import {
  type BerthEvent,
  Conflict,
  defaultLedgerConfig,
  EventBus,
  InstanceService,
  InvalidInput,
  NotFound,
  PortLedger,
  type PortSource,
  Reconciler,
  type RuntimeResolver,
  silentLogger,
  type TakenPort,
  templateSchema,
} from '@berth/core';
import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock, memoryStore, ScriptedRuntime } from '@berth/testkit';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Labels and bulk actions (issue 16 §4), over the real reconciler, ledger and SQLite store and a
 * ScriptedRuntime; a port another process holds makes one start fail for real.
 */
let store: SqliteStore;
let reconciler: Reconciler;
let svc: InstanceService;
let events: BerthEvent[];
let held: TakenPort[];

async function world() {
  const clock = new ManualClock();
  store = await memoryStore({ clock });
  const runtime = new ScriptedRuntime({ clock });
  const bus = new EventBus(store, clock);
  events = [];
  bus.subscribe((e) => events.push(e));
  held = [];
  const source: PortSource = { name: 'test', taken: async () => [...held] };
  const ledger = new PortLedger(store, [source], defaultLedgerConfig, clock, silentLogger);
  const runtimes: RuntimeResolver = {
    resolve: () => runtime,
    byKind: () => runtime,
    all: () => [{ node: 'local', runtime }],
    hostOf: () => 'local',
  };
  const workspace = {
    instanceDir: (t: string, i: string) => `/home/instances/${t}/${i}`,
    logDir: (id: string) => `/home/logs/${id}`,
    create: async () => {},
    remove: async () => {},
  };
  let seq = 0;
  const deps = { store, ledger, runtimes, workspace, events: bus, clock, newId: () => `id-${++seq}` };
  reconciler = new Reconciler({ ...deps, log: silentLogger, owner: 'owner' });
  svc = new InstanceService({ ...deps, reconciler });
  for (const name of ['web', 'db']) {
    const t = templateSchema.parse({
      name,
      source: { kind: 'command', command: 'app' },
      ports: [{ name: 'http', env: 'PORT', range: [23000, 23099] }],
    });
    store.templates.upsert({ template: t, origin: { kind: 'api' }, updatedAt: clock.now() });
  }
}

afterEach(async () => {
  await reconciler.close();
  store.close();
});

const names = (outcomes: { name: string }[]) => outcomes.map((o) => o.name);

describe('instance labels', () => {
  it('are set at create, changed and removed by an edit, with an event and nothing applied', async () => {
    await world();
    const inst = await svc.create({ template: 'web', name: 'a', labels: { team: 'web' } }, { wait: true });
    expect(inst.labels).toEqual({ team: 'web' });
    const edited = await svc.edit('a', { labels: { team: null, 'example.com/tier': 'front' } });
    expect(edited.labels).toEqual({ 'example.com/tier': 'front' });
    expect(edited.unappliedChanges).toBeUndefined();
    expect(svc.unapplied(edited)).toEqual([]);
    expect(events.at(-1)?.message).toBe('labels: example.com/tier=front, team removed');
  });

  it('refuse keys and values Kubernetes would refuse, naming the label, writing nothing', async () => {
    await world();
    for (const labels of [
      { '-x': 'a' },
      { 'Bad_Prefix/x': 'a' },
      { x: 'a b' },
      { ['k'.repeat(64)]: 'a' },
      { x: '-a' },
    ]) {
      const err = await svc.create({ template: 'web', labels }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInput);
      expect((err as InvalidInput).details?.field).toBe(`labels.${Object.keys(labels)[0]}`);
    }
    expect(store.instances.list()).toEqual([]);
    await svc.create({ template: 'web', name: 'a', start: false, labels: { 'a.b/c_d.e': '', x: 'Y-1' } });
    await expect(svc.edit('a', { labels: { 'x/': 'v' } })).rejects.toThrow(InvalidInput);
    expect(store.instances.findByName('a')?.labels).toEqual({ 'a.b/c_d.e': '', x: 'Y-1' });
  });
});

describe('InstanceService.bulk', () => {
  it('needs exactly one selector, naming the field', async () => {
    await world();
    const field = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: InvalidInput) => e.details?.field,
      );
    expect(await field(svc.bulk('stop', {}))).toBe('names');
    expect(await field(svc.bulk('stop', { names: ['a'], template: 'web' }))).toBe('template');
    expect(await field(svc.bulk('stop', { all: true, labels: { a: 'b' } }))).toBe('all');
    expect(await field(svc.bulk('stop', { names: [] }))).toBe('names');
    expect(await field(svc.bulk('stop', { labels: { 'a b': 'c' } }))).toBe('labels.a b');
    await expect(svc.bulk('stop', { template: 'nope' })).rejects.toThrow(NotFound);
  });

  it('acts on a template, a label or all, and answers per instance', async () => {
    await world();
    await svc.create({ template: 'web', name: 'w1', labels: { team: 'a' } }, { wait: true });
    await svc.create({ template: 'web', name: 'w2', labels: { team: 'b' } }, { wait: true });
    await svc.create({ template: 'db', name: 'd1', labels: { team: 'a', tier: 'db' } }, { wait: true });
    const byTemplate = await svc.bulk('stop', { template: 'web' }, { wait: true });
    expect(names(byTemplate)).toEqual(['w1', 'w2']);
    expect(byTemplate.every((o) => o.ok && o.instance?.status === 'stopped')).toBe(true);
    expect(store.instances.findByName('d1')?.status).toBe('running');
    expect(names(await svc.bulk('stop', { labels: { team: 'a' } }, { wait: true })).sort()).toEqual([
      'd1',
      'w1',
    ]);
    expect(names(await svc.bulk('stop', { labels: { team: 'a', tier: 'db' } }))).toEqual(['d1']);
    const all = await svc.bulk('start', { all: true }, { wait: true });
    expect(all.map((o) => [o.name, o.ok && o.instance?.status]).sort()).toEqual([
      ['d1', 'running'],
      ['w1', 'running'],
      ['w2', 'running'],
    ]);
  });

  it('never stops at a failure: an unknown name and a start refused by a taken pin answer for themselves', async () => {
    await world();
    await svc.create({ template: 'web', name: 'w1', start: false });
    await svc.create({ template: 'web', name: 'w2', start: false, ports: { http: 23050 } });
    await svc.create({ template: 'web', name: 'w3', start: false });
    held.push({ port: 23050, protocol: 'tcp', usedBy: 'process nginx (pid 9)', kind: 'process' });
    const out = await svc.bulk('start', { names: ['w1', 'ghost', 'w2', 'w3', 'w1'] }, { wait: true });
    expect(out.map((o) => [o.name, o.ok])).toEqual([
      ['w1', true],
      ['ghost', false],
      ['w2', false],
      ['w3', true],
    ]);
    const failed = out.filter((o) => !o.ok).map((o) => (o.ok ? null : o.error));
    expect(failed[0]).toBeInstanceOf(NotFound);
    expect(failed[1]).toBeInstanceOf(Conflict);
    expect(String((failed[1] as Error).message)).toContain('23050');
    expect(store.instances.findByName('w3')?.status).toBe('running');
  });

  it('rm removes each instance it names', async () => {
    await world();
    await svc.create({ template: 'web', name: 'w1' }, { wait: true });
    await svc.create({ template: 'db', name: 'd1', start: false });
    const out = await svc.bulk('rm', { names: ['w1', 'd1'] });
    expect(out).toMatchObject([
      { name: 'w1', ok: true, instance: null },
      { name: 'd1', ok: true, instance: null },
    ]);
    expect(store.instances.list()).toEqual([]);
  });
});
