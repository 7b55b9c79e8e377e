import {
  type BerthEvent,
  Conflict,
  type DeploySpec,
  defaultLedgerConfig,
  EventBus,
  InstanceService,
  InvalidInput,
  NotAllowed,
  NotFound,
  PortLedger,
  type PortSource,
  Reconciler,
  type RuntimeResolver,
  type SecretBox,
  silentLogger,
  type TakenPort,
  templateSchema,
  type Workspace,
} from '@berth/core';
import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock, memoryStore, ScriptedRuntime } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * InstanceService over the real reconciler and ledger (ScriptedRuntime, ManualClock, in-memory
 * SQLite), with a workspace that records what it was asked, a port source the test fills and a
 * secret box that seals reversibly.
 */
let clock: ManualClock;
let store: SqliteStore;
let runtime: ScriptedRuntime;
let reconciler: Reconciler;
let svc: InstanceService;
let events: BerthEvent[];
let held: TakenPort[];
let dirs: { created: string[]; removed: string[]; refuse: string | null; failCreate: boolean };
let specs: DeploySpec[];
/** Runs as the runtime is asked to deploy (something taking a port just before the bind). */
let onDeploy: (() => void) | undefined;

const box: SecretBox = {
  seal: (plain) => `box(${Buffer.from(plain).toString('base64')})`,
  open: (sealed) => Buffer.from(sealed.slice(4, -1), 'base64').toString(),
};

beforeEach(async () => {
  clock = new ManualClock();
  store = await memoryStore({ clock });
  runtime = new ScriptedRuntime({ clock });
  const deploy = runtime.deploy.bind(runtime);
  specs = [];
  onDeploy = undefined;
  runtime.deploy = (spec, opts) => {
    specs.push(spec);
    onDeploy?.();
    return deploy(spec, opts);
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
  dirs = { created: [], removed: [], refuse: null, failCreate: false };
  const workspace: Workspace = {
    instanceDir: (t, i) => `/home/instances/${t}/${i}`,
    logDir: (id) => `/home/logs/${id}`,
    create: async (dir) => {
      if (dirs.failCreate) throw new Error(`EACCES: cannot create ${dir}`);
      dirs.created.push(dir);
    },
    remove: async (dir) => {
      dirs.removed.push(dir);
    },
    checkRemovable: async (dir) => {
      if (dir === dirs.refuse) throw new NotAllowed(`${dir} is a symlink; refusing to remove it`);
    },
  };
  let seq = 0;
  const deps = { store, ledger, runtimes, workspace, events: bus, clock, newId: () => `id-${++seq}` };
  reconciler = new Reconciler({ ...deps, log: silentLogger, owner: 'owner', secrets: box });
  svc = new InstanceService({ ...deps, reconciler, secrets: box });
  template({ name: 'web' });
});
afterEach(async () => {
  await reconciler.close();
  store.close();
});

function template(fields: Record<string, unknown>) {
  const t = templateSchema.parse({
    source: { kind: 'command', command: 'app' },
    ports: [
      { name: 'http', env: 'PORT', preferred: 22000, range: [22000, 22099] },
      { name: 'admin', http: false, range: [22100, 22199] },
    ],
    ...fields,
  });
  store.templates.upsert({ template: t, origin: { kind: 'api' }, updatedAt: clock.now() });
}

function hold(port: number, usedBy: string) {
  held.push({ port, protocol: 'tcp', usedBy, kind: 'process' });
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

const leasesOf = (id: string) => store.leases.listByOwner(id).map((l) => `${l.portName}:${l.port}`);
const deploys = () => runtime.calls.filter((c) => c.startsWith('deploy')).length;

describe('InstanceService.create', () => {
  it('records the instance, leases its ports, creates its folder and tells of it', async () => {
    const inst = await svc.create({ template: 'web', name: 'site', start: false });
    expect(inst).toMatchObject({
      name: 'site',
      template: 'web',
      node: 'local',
      status: 'stopped',
      desiredState: 'stopped',
      dataDir: '/home/instances/web/site',
      portOverrides: {},
    });
    expect(svc.ports(inst.id)).toEqual({ http: 22000, admin: 22100 });
    expect(leasesOf(inst.id).sort()).toEqual(['admin:22100', 'http:22000']);
    expect(dirs.created).toEqual(['/home/instances/web/site']);
    expect(events.find((e) => e.type === 'instance.created')).toMatchObject({
      instanceName: 'site',
      message: 'created from template web on local',
      data: { ports: { http: 22000, admin: 22100 } },
    });
    expect(deploys()).toBe(0);
  });

  it('names an unnamed instance after its template with the smallest free number', async () => {
    const names = [];
    for (let i = 0; i < 3; i++) names.push((await svc.create({ template: 'web', start: false })).name);
    expect(names).toEqual(['web-1', 'web-2', 'web-3']);
    await svc.remove('web-2');
    expect((await svc.create({ template: 'web', start: false })).name).toBe('web-2');
  });

  it('starts it unless told not to; with wait it resolves once it runs', async () => {
    const inst = await svc.create({ template: 'web', name: 'site' }, { wait: true });
    expect(inst.status).toBe('running');
    expect(specs[0]?.env.PORT).toBe('22000');
  });

  it('without wait, the deploy runs on the instance’s queue after create returns', async () => {
    const inst = await svc.create({ template: 'web', name: 'site' });
    expect(['pending', 'deploying']).toContain(inst.status);
    await reconciler.enqueue(inst.id);
    expect(svc.get('site').status).toBe('running');
    expect(deploys()).toBe(1);
  });

  it('refuses a name in use, leasing nothing for the second', async () => {
    const first = await svc.create({ template: 'web', name: 'site', start: false });
    const err = await refusal(svc.create({ template: 'web', name: 'site', start: false }));
    expect(err).toMatchObject({ code: 'NAME_TAKEN', message: "an instance named 'site' already exists" });
    expect(store.leases.listAll().every((l) => l.ownerId === first.id)).toBe(true);
  });

  it('refuses more instances than the template allows', async () => {
    template({ name: 'single', maxInstances: 1 });
    await svc.create({ template: 'single', start: false });
    const err = await refusal(svc.create({ template: 'single', start: false }));
    expect(err).toMatchObject({
      code: 'MAX_INSTANCES',
      message: "template 'single' allows at most 1 instance",
    });
    expect(svc.list({ template: 'single' })).toHaveLength(1);
  });

  it('refuses bad input before anything is written, naming what is wrong', async () => {
    await expect(svc.create({ template: 'nope' })).rejects.toBeInstanceOf(NotFound);
    await expect(svc.create({ template: 'web', node: 'far-away' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: "node 'far-away' was not found",
    });
    await expect(svc.create({ template: 'web', name: 'Bad_Name' })).rejects.toMatchObject({
      code: 'INVALID_NAME',
    });
    await expect(svc.create({ template: 'web', ports: { web: 22050 } })).rejects.toMatchObject({
      message: "template 'web' has no port named 'web'",
      details: { field: 'ports.web' },
    });
    await expect(svc.create({ template: 'web', ports: { http: 70000 } })).rejects.toMatchObject({
      details: { field: 'ports.http' },
    });
    await expect(svc.create({ template: 'web', config: { colour: 'blue' } })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    expect(svc.list()).toEqual([]);
    expect(store.leases.listAll()).toEqual([]);
  });

  it('a folder that cannot be created undoes the record and its leases', async () => {
    dirs.failCreate = true;
    await expect(svc.create({ template: 'web', name: 'site' })).rejects.toThrow('EACCES');
    expect(svc.list()).toEqual([]);
    expect(store.leases.listAll()).toEqual([]);
    expect(deploys()).toBe(0);
  });

  it('a pin someone holds fails the create naming the holder, unless it does not start now', async () => {
    hold(22050, 'process nginx (pid 812)');
    const err = await refusal(svc.create({ template: 'web', name: 'a', ports: { http: 22050 } }));
    expect(err).toBeInstanceOf(Conflict);
    expect((err as Conflict).portConflicts).toMatchObject([
      { name: 'http', port: 22050, usedBy: 'process nginx (pid 812)', suggestedPort: 22051 },
    ]);
    const idle = await svc.create({ template: 'web', name: 'b', ports: { http: 22050 }, start: false });
    expect(svc.ports(idle.id).http).toBe(22050); // the pin, waiting for the start to settle it
    expect(leasesOf(idle.id)).toEqual(['admin:22100']);
  });

  it('says where an imported instance came from', async () => {
    await svc.create({ template: 'web', name: 'site', start: false, origin: 'imported from registry.json' });
    const e = events.find((x) => x.type === 'instance.created');
    expect(e?.message).toBe('created from template web on local; imported from registry.json');
  });
});

describe('InstanceService.start / stop / restart / kill', () => {
  it('start refuses a pinned port someone holds, naming the holder, and starts nothing', async () => {
    const inst = await svc.create({ template: 'web', name: 'site', ports: { http: 22050 }, start: false });
    hold(22050, 'process redis (pid 9)');
    const err = await refusal(svc.start('site', { wait: true }));
    expect(err).toMatchObject({
      code: 'PORT_CONFLICT',
      message: 'Cannot start site: port 22050 (http) is in use by process redis (pid 9)',
    });
    expect((err as Conflict).portConflicts[0]).toMatchObject({ port: 22050, suggestedPort: 22051 });
    expect(svc.get(inst.id)).toMatchObject({ desiredState: 'stopped', status: 'stopped' });
    expect(deploys()).toBe(0);
    // Told on the EventBus once, for every subscriber (the feed, notification channels).
    expect(events.filter((e) => e.type === 'instance.port-conflict')).toMatchObject([
      {
        instanceName: 'site',
        message: 'start refused: port 22050 (http) is in use by process redis (pid 9)',
        data: { portConflicts: [{ name: 'http', port: 22050, usedBy: 'process redis (pid 9)' }] },
      },
    ]);
  });

  it('start moves a chosen port someone took instead of refusing', async () => {
    const inst = await svc.create({ template: 'web', name: 'site', start: false });
    hold(22000, 'process squatter');
    const started = await svc.start(inst.id, { wait: true });
    expect(started.status).toBe('running');
    expect(svc.ports(inst.id).http).toBe(22001);
    expect(events.filter((e) => e.type === 'instance.port-conflict')).toEqual([]);
    expect(events.find((e) => e.type === 'instance.ports')?.data).toMatchObject({
      from: 22000,
      to: 22001,
      usedBy: 'process squatter',
    });
  });

  it('start of a running instance deploys nothing', async () => {
    const inst = await svc.create({ template: 'web', name: 'site' }, { wait: true });
    await svc.start(inst.id, { wait: true });
    expect(deploys()).toBe(1);
  });

  it('stop sets the desired state and stops the workload; kill does not wait for it to go', async () => {
    const inst = await svc.create({ template: 'web', name: 'site' }, { wait: true });
    const stopped = await svc.stop('site', { wait: true });
    expect(stopped).toMatchObject({ status: 'stopped', desiredState: 'stopped', lastExitCode: 143 });
    await svc.start('site', { wait: true });
    const killed = await svc.kill('site');
    expect(killed).toMatchObject({ status: 'stopped', desiredState: 'stopped' });
    expect(runtime.calls.filter((c) => c.startsWith('kill'))).toHaveLength(1);
    expect(runtime.workloadsOf(inst.id).every((x) => !x.running)).toBe(true);
  });

  it('restart keeps the instance’s ports and makes it desired running', async () => {
    const inst = await svc.create({ template: 'web', name: 'site', start: false });
    const ports = svc.ports(inst.id);
    const restarted = await svc.restart('site', { wait: true });
    expect(restarted).toMatchObject({ status: 'running', desiredState: 'running' });
    expect(svc.ports(inst.id)).toEqual(ports);
  });

  it('gets an instance by id or by name, and says which one is missing', () => {
    expect(() => svc.get('ghost')).toThrow("instance 'ghost' was not found");
  });
});

describe('InstanceService.remove', () => {
  it('checks the folders first: a refusal changes nothing', async () => {
    const inst = await svc.create({ template: 'web', name: 'site' }, { wait: true });
    dirs.refuse = inst.dataDir;
    const err = await refusal(svc.remove('site'));
    expect(err).toBeInstanceOf(NotAllowed);
    expect(svc.get('site')).toMatchObject({ status: 'running', desiredState: 'running' });
    expect(leasesOf(inst.id)).toHaveLength(2);
    expect(runtime.workloadsOf(inst.id).map((x) => x.running)).toEqual([true]);
    expect(dirs.removed).toEqual([]);
  });

  it('stops and removes the workload, the folders, the leases and the record, and tells of it', async () => {
    const inst = await svc.create({ template: 'web', name: 'site' }, { wait: true });
    await svc.remove('site');
    expect(runtime.workloadsOf(inst.id)).toEqual([]);
    expect(dirs.removed).toEqual([inst.dataDir, `/home/logs/${inst.id}`]);
    expect(store.leases.listAll()).toEqual([]);
    expect(() => svc.get(inst.id)).toThrow(NotFound);
    expect(events.at(-1)).toMatchObject({ type: 'instance.removed', instanceId: inst.id });
  });

  it('removes the data a runtime keeps (a Swarm volume, a Kubernetes claim) as it removes the data directory; keepData keeps both', async () => {
    const asked: unknown[] = [];
    const remove = runtime.remove.bind(runtime);
    runtime.remove = (handle, opts) => {
      asked.push(opts);
      return remove(handle, opts);
    };
    const a = await svc.create({ template: 'web', name: 'a' }, { wait: true });
    await svc.remove('a');
    expect(asked).toEqual([{ volumes: false, data: true }]);
    expect(dirs.removed).toContain(a.dataDir);

    const b = await svc.create({ template: 'web', name: 'b' }, { wait: true });
    await svc.remove('b', { keepData: true, volumes: true });
    expect(asked[1]).toEqual({ volumes: true, data: false });
    expect(dirs.removed).not.toContain(b.dataDir);
    expect(dirs.removed).toContain(`/home/logs/${b.id}`);
    expect(() => svc.get(b.id)).toThrow(NotFound);
  });

  it('cancels a deploy in flight instead of waiting for it', async () => {
    const inst = await svc.create({ template: 'web', name: 'site', start: false });
    runtime.holdNextDeploy();
    const starting = svc.start(inst.id, { wait: true }).catch((e: unknown) => e);
    await clock.advance(0);
    await svc.remove('site');
    expect(await starting).toMatchObject({ code: 'CANCELLED' });
    expect(svc.list()).toEqual([]);
  });
});

describe('InstanceService.overridePort', () => {
  it('pins the port on this instance only, moves its lease and tells from what to what', async () => {
    const inst = await svc.create({ template: 'web', name: 'site', start: false });
    const updated = await svc.overridePort('site', 'http', 22077);
    expect(updated.portOverrides).toEqual({ http: 22077 });
    expect(svc.ports(inst.id).http).toBe(22077);
    expect(store.leases.find('local', 'tcp', 22000)).toBeUndefined();
    expect(store.templates.find('web')?.template.ports[0]?.preferred).toBe(22000);
    expect(events.at(-1)).toMatchObject({
      type: 'instance.ports',
      message: 'port http pinned to 22077 (was 22000)',
      data: { name: 'http', from: 22000, to: 22077 },
    });
  });

  it('refuses a port someone holds, naming the holder, and changes nothing', async () => {
    const other = await svc.create({ template: 'web', name: 'other', start: false });
    const inst = await svc.create({ template: 'web', name: 'site', start: false });
    const err = await refusal(svc.overridePort('site', 'http', svc.ports(other.id).http!));
    expect(err.message).toBe(`Port ${svc.ports(other.id).http} is in use by berth instance other`);
    expect(svc.get(inst.id).portOverrides).toEqual({});
  });

  it('refuses a port name the template does not have, or a number that is no port', async () => {
    await svc.create({ template: 'web', name: 'site', start: false });
    await expect(svc.overridePort('site', 'web', 22077)).rejects.toBeInstanceOf(InvalidInput);
    await expect(svc.overridePort('site', 'http', 0)).rejects.toMatchObject({
      details: { field: 'ports.http' },
    });
  });

  it('the conflict flow: a start refused on a pin, the suggested port pinned, the start goes through', async () => {
    await svc.create({ template: 'web', name: 'site', ports: { http: 22050 }, start: false });
    hold(22050, 'process old');
    const err = (await refusal(svc.start('site'))) as Conflict;
    const suggested = err.portConflicts[0]!.suggestedPort!;
    await svc.overridePort('site', 'http', suggested);
    expect(await svc.start('site', { wait: true })).toMatchObject({ status: 'running' });
    expect(specs.at(-1)?.env.PORT).toBe(String(suggested));
  });
});

describe('InstanceService: a pinned port lost at the bind', () => {
  it('fails as PORT_CONFLICT naming who took it and a free port, and moves nothing', async () => {
    const inst = await svc.create({ template: 'web', name: 'site', ports: { http: 22050 }, start: false });
    onDeploy = () => hold(22050, 'process thief (pid 66)');
    runtime.failNextBind('http');
    const err = (await refusal(svc.start('site', { wait: true }))) as Conflict;
    expect(err.code).toBe('PORT_CONFLICT');
    expect(err.portConflicts).toMatchObject([
      { name: 'http', port: 22050, usedBy: 'process thief (pid 66)', suggestedPort: 22051 },
    ]);
    expect(svc.get(inst.id)).toMatchObject({ status: 'error', portOverrides: { http: 22050 } });
    expect(svc.ports(inst.id).http).toBe(22050);
    expect(deploys()).toBe(1);
    expect(events.filter((e) => e.type === 'instance.port-conflict')).toMatchObject([
      {
        instanceName: 'site',
        message: expect.stringMatching(/^deploy failed: /),
        data: { portConflicts: [{ name: 'http', port: 22050, usedBy: 'process thief (pid 66)' }] },
      },
    ]);
  });
});

describe('InstanceService: secrets', () => {
  beforeEach(() => {
    template({
      name: 'db',
      ports: [],
      config: {
        password: { type: 'string', secret: true, env: 'DB_PASSWORD' },
        user: { type: 'string', default: 'admin', env: 'DB_USER' },
      },
    });
  });

  it('stores a secret sealed and opens it only for the workload', async () => {
    const inst = await svc.create(
      { template: 'db', name: 'db-1', config: { password: 'hunter2' } },
      { wait: true },
    );
    const stored = store.instances.find(inst.id)!.config;
    expect(stored.user).toBe('admin');
    expect(String(stored.password)).toMatch(/^sealed:v1:box\(/);
    expect(JSON.stringify(stored)).not.toContain('hunter2');
    expect(specs[0]?.env).toMatchObject({ DB_PASSWORD: 'hunter2', DB_USER: 'admin' });
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });

  it('a change that sends the mask back keeps the secret; the event names fields, never values', async () => {
    const inst = await svc.create({
      template: 'db',
      name: 'db-1',
      config: { password: 'hunter2' },
      start: false,
    });
    const before = store.instances.find(inst.id)!.config.password;
    const updated = svc.updateConfig('db-1', { password: '••••', user: 'root' });
    expect(updated.config).toMatchObject({ password: before, user: 'root' });
    expect(events.at(-1)).toMatchObject({
      type: 'instance.config',
      message: 'config changed: user (takes effect at the next start)',
      data: { changed: ['user'] },
    });
    svc.updateConfig('db-1', { password: 'correct horse' });
    expect(store.instances.find(inst.id)!.config.password).not.toBe(before);
    expect(JSON.stringify(events)).not.toContain('correct horse');
    await svc.start('db-1', { wait: true });
    expect(specs.at(-1)?.env.DB_PASSWORD).toBe('correct horse');
  });

  it('refuses the mask itself as a first value', async () => {
    await expect(
      svc.create({ template: 'db', name: 'db-1', config: { password: '••••' }, start: false }),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('seals values stored in clear before the field was secret, once', async () => {
    const inst = await svc.create({ template: 'db', name: 'db-1', config: { password: 'x' }, start: false });
    store.instances.update(inst.id, { config: { password: 'plain', user: 'admin' } });
    expect(svc.sealStoredSecrets('db')).toBe(1);
    expect(String(store.instances.find(inst.id)!.config.password)).toMatch(/^sealed:v1:/);
    expect(svc.sealStoredSecrets()).toBe(0);
  });
});

describe('InstanceService: reads', () => {
  it('preflight of a stopped instance reports a chosen port someone took, and that it can start', async () => {
    await svc.create({ template: 'web', name: 'site', start: false });
    hold(22000, 'process squatter');
    expect(await svc.preflight('site')).toEqual({
      canStart: true,
      portConflicts: [
        {
          name: 'http',
          envVar: 'PORT',
          port: 22000,
          protocol: 'tcp',
          usedBy: 'process squatter',
          suggestedPort: 22001,
          pinned: false,
        },
      ],
    });
  });

  it('preflight of a running instance does not count its own workload on its port', async () => {
    const inst = await svc.create({ template: 'web', name: 'site' }, { wait: true });
    held.push({ port: 22000, protocol: 'tcp', usedBy: 'process app', kind: 'process', instanceId: inst.id });
    expect(await svc.preflight('site')).toEqual({ canStart: true, portConflicts: [] });
  });

  it('lists deployments newest first, as many as asked', async () => {
    const inst = await svc.create({ template: 'web', name: 'site' }, { wait: true });
    await clock.advance(1_000);
    await svc.restart('site', { wait: true });
    const all = svc.deployments('site');
    expect(all).toHaveLength(2);
    expect(all[0]?.id).toBe(svc.get(inst.id).currentDeploymentId);
    expect(svc.deployments('site', 1)).toHaveLength(1);
  });

  it('filters the list by template', async () => {
    template({ name: 'api' });
    await svc.create({ template: 'web', start: false });
    await svc.create({ template: 'api', start: false });
    expect(svc.list({ template: 'api' }).map((i) => i.name)).toEqual(['api-1']);
  });
});
