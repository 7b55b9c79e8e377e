import {
  type BerthEvent,
  Conflict,
  type DeploySpec,
  defaultLedgerConfig,
  EventBus,
  type Instance,
  InstanceService,
  InvalidInput,
  NotFound,
  PortLedger,
  type PortSource,
  Reconciler,
  type RuntimeResolver,
  type SecretBox,
  silentLogger,
  type TakenPort,
  templateSchema,
} from '@berth/core';
import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock, memoryStore, ScriptedRuntime } from '@berth/testkit';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Editing an instance, applying it and rolling it back (issue 16 §1), over the real reconciler,
 * ledger and SQLite store, a ScriptedRuntime and a secret box that seals reversibly.
 */
let clock: ManualClock;
let store: SqliteStore;
let runtime: ScriptedRuntime;
let reconciler: Reconciler;
let svc: InstanceService;
let events: BerthEvent[];
let held: TakenPort[];
let specs: DeploySpec[];

const box: SecretBox = {
  seal: (plain) => `box(${Buffer.from(plain).toString('base64')})`,
  open: (sealed) => Buffer.from(sealed.slice(4, -1), 'base64').toString(),
};

async function world(opts: { scales?: boolean } = {}) {
  clock = new ManualClock();
  store = await memoryStore({ clock });
  runtime = new ScriptedRuntime({ clock, scales: opts.scales ?? false });
  const deploy = runtime.deploy.bind(runtime);
  specs = [];
  runtime.deploy = (spec, o) => {
    specs.push(spec);
    return deploy(spec, o);
  };
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
    hostOf: (node) => {
      if (node !== 'local') throw new NotFound('node', node);
      return 'local';
    },
  };
  const workspace = {
    instanceDir: (t: string, i: string) => `/home/instances/${t}/${i}`,
    logDir: (id: string) => `/home/logs/${id}`,
    create: async () => {},
    remove: async () => {},
  };
  let seq = 0;
  const deps = { store, ledger, runtimes, workspace, events: bus, clock, newId: () => `id-${++seq}` };
  reconciler = new Reconciler({ ...deps, log: silentLogger, owner: 'owner', secrets: box });
  svc = new InstanceService({ ...deps, reconciler, secrets: box });
  const t = templateSchema.parse({
    name: 'web',
    source: { kind: 'command', command: 'app' },
    ports: [{ name: 'http', env: 'PORT', preferred: 22000, range: [22000, 22099] }],
    config: {
      greeting: { type: 'string', default: 'hi', env: 'GREETING' },
      workers: { type: 'number', default: 1 },
      token: { type: 'string', secret: true, env: 'TOKEN' },
    },
  });
  store.templates.upsert({ template: t, origin: { kind: 'api' }, updatedAt: clock.now() });
}

afterEach(async () => {
  await reconciler.close();
  store.close();
});

async function refusal(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

const calls = (word: string) => runtime.calls.filter((c) => c.startsWith(word)).length;
const lastEvent = () => events.filter((e) => e.type === 'instance.config').at(-1);
const running = (name: string) => svc.create({ template: 'web', name }, { wait: true });
/** The stored record without its timestamps, to compare before and after a refused edit. */
const record = (i: Instance) => ({ ...i, updatedAt: 0 });

describe('InstanceService.edit', () => {
  it('stores config, env, a pin and a restart policy as the desired spec; the next start runs them', async () => {
    await world();
    const inst = await svc.create({ template: 'web', name: 'site', start: false });
    const restart = {
      policy: 'never',
      maxRetries: 0,
      backoffSeconds: 1,
      maxBackoffSeconds: 60,
      resetAfterSeconds: 60,
      onUnhealthy: false,
    } as const;
    const edited = await svc.edit(inst.id, {
      config: { greeting: 'hello', token: 's3cret' },
      env: { DEBUG: '1', FROM: 'x-${PORT}' },
      ports: { http: 22042 },
      restart,
    });
    expect(edited).toMatchObject({
      env: { DEBUG: '1', FROM: 'x-${PORT}' },
      portOverrides: { http: 22042 },
      restart,
    });
    expect(edited.config.token).not.toBe('s3cret'); // sealed
    expect(lastEvent()?.message).toBe(
      'edited: config.greeting, config.token, env.DEBUG, env.FROM, ports.http, restart (takes effect at the next start)',
    );
    expect(JSON.stringify(events)).not.toContain('s3cret');
    await svc.start(inst.id, { wait: true });
    expect(specs[0]?.env).toMatchObject({ DEBUG: '1', FROM: 'x-22042', GREETING: 'hello', PORT: '22042' });
    expect(specs[0]?.restart?.policy).toBe('never');
    const dep = svc.deployments(inst.id)[0]!;
    expect(dep.spec).toMatchObject({
      env: { DEBUG: '1' },
      pins: { http: 22042 },
      replicas: 1,
      node: 'local',
    });
    expect(dep.spec?.config.token).toBe(edited.config.token); // kept sealed, as stored
    expect(svc.unapplied(svc.get(inst.id))).toEqual([]);
  });

  it('refuses bad input with a 400 naming the field, writing nothing of the rest', async () => {
    await world();
    const inst = await svc.create({ template: 'web', name: 'site', start: false });
    const before = record(svc.get(inst.id));
    const cases: [Parameters<InstanceService['edit']>[1], string][] = [
      [{ config: { workers: 'many' } }, 'config.workers'],
      [{ config: { greeting: 'ok' }, env: { '1BAD': 'x' } }, 'env.1BAD'],
      [{ env: { OK: 'y' }, ports: { nope: 22001 } }, 'ports.nope'],
      [{ config: { greeting: 'ok' }, replicas: 0 }, 'replicas'],
      [{ env: { OK: 'y' }, replicas: 3 }, 'replicas'],
      [{ config: { greeting: 'ok' }, node: 'elsewhere' }, 'node'],
    ];
    for (const [edit, field] of cases) {
      const err = await refusal(svc.edit(inst.id, edit));
      expect(err, field).toBeInstanceOf(InvalidInput);
      const details = (err as InvalidInput).details as { field?: string; issues?: { field: string }[] };
      expect(details.field ?? details.issues?.[0]?.field, field).toBe(field);
    }
    expect(record(svc.get(inst.id))).toEqual(before);
    expect(events.filter((e) => e.type === 'instance.config')).toEqual([]);
  });

  it('a pin someone holds is the create’s 409, naming the holder and a free port; nothing is written', async () => {
    await world();
    const inst = await running('site');
    held.push({ port: 22050, protocol: 'tcp', usedBy: 'process nginx (pid 812)', kind: 'process' });
    const err = await refusal(svc.edit(inst.id, { config: { greeting: 'yo' }, ports: { http: 22050 } }));
    expect(err).toBeInstanceOf(Conflict);
    expect((err as Conflict).portConflicts).toMatchObject([
      { name: 'http', port: 22050, usedBy: 'process nginx (pid 812)', suggestedPort: 22051 },
    ]);
    expect(svc.get(inst.id)).toMatchObject({ config: { greeting: 'hi' }, portOverrides: {} });
  });

  it('a running instance shows its edit as not applied until applied by a restart', async () => {
    await world();
    const inst = await running('site');
    await svc.edit(inst.id, { config: { greeting: 'hello' }, env: { DEBUG: '1' } });
    expect(calls('deploy')).toBe(1);
    expect(svc.unapplied(svc.get(inst.id))).toEqual(['config.greeting', 'env.DEBUG']);
    expect(lastEvent()?.message).toBe('edited: config.greeting, env.DEBUG (not applied yet)');
    await svc.apply(inst.id, { wait: true });
    expect(calls('stop')).toBe(1);
    expect(calls('deploy')).toBe(2);
    expect(specs[1]?.env).toMatchObject({ GREETING: 'hello', DEBUG: '1' });
    expect(svc.unapplied(svc.get(inst.id))).toEqual([]);
    await svc.apply(inst.id, { wait: true }); // nothing left to apply: nothing is redeployed
    expect(calls('deploy')).toBe(2);
  });

  it('with apply, redeploys at once; an edit back to what runs clears "not applied"', async () => {
    await world();
    const inst = await running('site');
    await svc.edit(inst.id, { config: { workers: 4 } }, { apply: true, wait: true });
    expect(calls('deploy')).toBe(2);
    expect(svc.get(inst.id).status).toBe('running');
    await svc.edit(inst.id, { env: { A: '1' } });
    expect(svc.unapplied(svc.get(inst.id))).toEqual(['env.A']);
    await svc.edit(inst.id, { env: { A: null } });
    expect(svc.unapplied(svc.get(inst.id))).toEqual([]);
  });

  it('a replicas edit alone is applied in place where the runtime scales', async () => {
    await world({ scales: true });
    const inst = await running('site');
    await svc.edit(inst.id, { replicas: 3 }, { apply: true, wait: true });
    expect(runtime.calls.filter((c) => c.startsWith('scale'))).toHaveLength(1);
    expect(calls('deploy')).toBe(1);
    expect(calls('stop')).toBe(0);
    expect(svc.unapplied(svc.get(inst.id))).toEqual([]);
    expect(svc.deployments(inst.id)[0]?.spec?.replicas).toBe(3);
  });
});

describe('applying on a runtime that scales', () => {
  it('a workload of several replicas is updated in place (rolling), never stopped first', async () => {
    await world({ scales: true });
    const inst = await svc.create({ template: 'web', name: 'site', replicas: 2 }, { wait: true });
    const first = svc.deployments(inst.id)[0]!;
    await svc.edit(inst.id, { config: { greeting: 'hello' } }, { apply: true, wait: true });
    expect(calls('stop')).toBe(0);
    expect(calls('deploy')).toBe(2);
    expect(specs[1]).toMatchObject({ replicas: 2, env: { GREETING: 'hello' } });
    expect(svc.get(inst.id)).toMatchObject({ status: 'running' });
    expect(svc.deployments(inst.id).find((d) => d.id === first.id)?.status).toBe('stopped');
    expect(svc.unapplied(svc.get(inst.id))).toEqual([]);
  });

  it('one replica is stopped, then started', async () => {
    await world({ scales: true });
    const inst = await running('site');
    await svc.edit(inst.id, { env: { A: '1' } }, { apply: true, wait: true });
    expect(calls('stop')).toBe(1);
    expect(calls('deploy')).toBe(2);
  });
});

describe('InstanceService.rollback', () => {
  it('runs the previous deployment’s spec again, secrets included, never opened for storage', async () => {
    await world();
    const inst = await svc.create(
      { template: 'web', name: 'site', config: { greeting: 'v1', token: 'one' } },
      { wait: true },
    );
    await svc.edit(
      inst.id,
      { config: { greeting: 'v2', token: 'two' }, env: { NEW: '1' } },
      { apply: true, wait: true },
    );
    expect(specs[1]?.env).toMatchObject({ GREETING: 'v2', TOKEN: 'two', NEW: '1' });
    const back = await svc.rollback(inst.id, undefined, { wait: true });
    expect(back.env ?? {}).toEqual({});
    expect(specs[2]?.env).toMatchObject({ GREETING: 'v1', TOKEN: 'one' });
    expect(specs[2]?.env.NEW).toBeUndefined();
    expect(svc.get(inst.id).status).toBe('running');
    expect(events.some((e) => e.message.startsWith('rolled back to deployment'))).toBe(true);
    const stored = JSON.stringify(svc.deployments(inst.id).map((d) => d.spec));
    expect(stored).not.toContain('"one"');
    expect(stored).not.toContain('"two"');
  });

  it('rolls back to a named deployment; another instance’s deployment is not found', async () => {
    await world();
    const inst = await running('site');
    const first = svc.deployments(inst.id)[0]!;
    await svc.edit(inst.id, { config: { workers: 2 } }, { apply: true, wait: true });
    await svc.edit(inst.id, { config: { workers: 3 } }, { apply: true, wait: true });
    await svc.rollback(inst.id, first.id, { wait: true });
    expect(specs.at(-1)?.env).toMatchObject({ CONFIG_WORKERS: '1' });
    expect(svc.get(inst.id).config.workers).toBe(1);
    const other = await running('other');
    const err = await refusal(svc.rollback(other.id, first.id));
    expect(err).toBeInstanceOf(NotFound);
  });

  it('without an earlier different spec, says so naming the field', async () => {
    await world();
    const inst = await running('site');
    const err = await refusal(svc.rollback(inst.id));
    expect((err as InvalidInput).details?.field).toBe('deployment');
  });
});
