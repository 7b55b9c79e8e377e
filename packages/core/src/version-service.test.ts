import {
  type BerthEvent,
  type DeploySpec,
  defaultLedgerConfig,
  EventBus,
  type InstallJob,
  InstanceService,
  NotFound,
  PortLedger,
  Reconciler,
  type RuntimeResolver,
  silentLogger,
  templateSchema,
  type VersionFolders,
  VersionService,
} from '@berth/core';
import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock, memoryStore, ScriptedRuntime } from '@berth/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { templateAtVersion, withTag } from './template-versions.js';

/**
 * A template's versions (issue 16 §2) over the real reconciler, ledger and SQLite store, a
 * ScriptedRuntime and folders kept in memory (the host's own are tested with real processes in
 * packages/host and apps/server/test/template-versions.test.ts).
 */
class MemoryFolders implements VersionFolders {
  readonly installed = new Set<string>();
  readonly jobs: InstallJob[] = [];
  failWith: string | undefined;
  dirOf = (t: string, v: string) => `/home/versions/${t}/${v}`;
  logOf = (t: string, v: string) => `/home/versions/${t}/${v}.install.log`;
  isInstalled = async (t: string, v: string) => this.installed.has(`${t}/${v}`);
  hasProgram = async (c: string) => c === 'python3';
  async install(job: InstallJob) {
    this.jobs.push(job);
    job.onLine('fetching');
    if (this.failWith) throw new Error(this.failWith);
    this.installed.add(`${job.template}/${job.version}`);
  }
  remove = async (t: string, v: string) => void this.installed.delete(`${t}/${v}`);
}

let store: SqliteStore;
let reconciler: Reconciler;
let svc: InstanceService;
let versions: VersionService;
let folders: MemoryFolders;
let specs: DeploySpec[];
let events: BerthEvent[];

async function world() {
  const clock = new ManualClock();
  store = await memoryStore({ clock });
  const runtime = new ScriptedRuntime({ clock });
  const deploy = runtime.deploy.bind(runtime);
  specs = [];
  runtime.deploy = (spec, o) => {
    specs.push(spec);
    return deploy(spec, o);
  };
  const bus = new EventBus(store, clock);
  events = [];
  bus.subscribe((e) => events.push(e));
  const ledger = new PortLedger(store, [], defaultLedgerConfig, clock, silentLogger);
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
  folders = new MemoryFolders();
  versions = new VersionService({ store, events: bus, runtimes, folders });
  reconciler = new Reconciler({ ...deps, log: silentLogger, owner: 'owner', versions });
  svc = new InstanceService({ ...deps, reconciler });
  const t = templateSchema.parse({
    name: 'tool',
    source: {
      kind: 'command',
      command: 'tool-default',
      args: ['--serve'],
      versions: {
        v1: { command: '${BERTH_VERSION_DIR}/run.sh', install: 'echo v1 > run.sh' },
        v2: { command: '${BERTH_VERSION_DIR}/run.sh', args: ['--fast'], install: ['sh', '-c', 'echo v2'] },
        system: { command: 'python3' },
      },
    },
  });
  store.templates.upsert({ template: t, origin: { kind: 'api' }, updatedAt: clock.now() });
}

afterEach(async () => {
  await reconciler.close();
  store.close();
});

async function refusal(p: Promise<unknown>): Promise<Error & { code?: string; details?: unknown }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('VersionService', () => {
  it('refuses an unknown version at create and at edit with a 400 listing the known ones', async () => {
    await world();
    const err = await refusal(svc.create({ template: 'tool', name: 'a', version: 'v9', start: false }));
    expect(err.message).toBe("version 'v9' is not one of this template's versions (known: v1, v2, system)");
    expect(err.details).toMatchObject({ known: ['v1', 'v2', 'system'] });
    expect(store.instances.findByName('a')).toBeUndefined();
    const inst = await svc.create({ template: 'tool', name: 'a', version: 'v1', start: false });
    const edit = await refusal(svc.edit(inst.id, { version: 'nope' }));
    expect(edit.message).toContain('known: v1, v2, system');
    expect(svc.get('a').config.version).toBe('v1');
  });

  it('installs a pinned version before its first start, and runs its command in its folder', async () => {
    await world();
    await svc.create({ template: 'tool', name: 'a', version: 'v1' }, { wait: true });
    expect(folders.jobs.map((j) => [j.version, j.command])).toEqual([
      ['v1', ['sh', '-c', 'echo v1 > run.sh']],
    ]);
    expect(specs[0]?.command).toEqual(['/home/versions/tool/v1/run.sh', '--serve']);
    expect(specs[0]?.env.BERTH_VERSION_DIR).toBe('/home/versions/tool/v1');
    expect(events.filter((e) => e.type === 'template.version').map((e) => e.data.phase)).toEqual([
      'installing',
      'output',
      'installed',
    ]);
    // Installed now: a restart does not install again.
    await svc.restart('a', { wait: true });
    expect(folders.jobs).toHaveLength(1);
  });

  it('fails the start with the install step’s reason, and nothing counts as installed', async () => {
    await world();
    folders.failWith = 'the install step exited with code 7: no network';
    const err = await refusal(svc.create({ template: 'tool', name: 'a', version: 'v1' }, { wait: true }));
    expect(err.message).toBe(
      'install of version v1 of tool failed: the install step exited with code 7: no network',
    );
    expect(svc.get('a')).toMatchObject({ status: 'error', errorMessage: err.message });
    expect(specs).toHaveLength(0);
    expect((await versions.get('tool', 'v1')).installed).toBe(false);
  });

  it('lists each version, installed or not, with the instances that pin it; remove is refused while one does', async () => {
    await world();
    await svc.create({ template: 'tool', name: 'a', version: 'v1', start: false });
    await versions.install('tool', 'v1');
    const list = await versions.list('tool');
    expect(list.map((v) => [v.name, v.installed, v.usedBy, v.installable])).toEqual([
      ['v1', true, ['a'], true],
      ['v2', false, [], true],
      ['system', true, [], false],
    ]);
    const err = await refusal(versions.remove('tool', 'v1'));
    expect(err).toMatchObject({ code: 'VERSION_IN_USE', details: { instances: ['a'] } });
    expect(folders.installed.has('tool/v1')).toBe(true);
    await svc.remove('a');
    await versions.remove('tool', 'v1');
    expect((await versions.get('tool', 'v1')).installed).toBe(false);
    // A version with no install step: nothing berth installed, so nothing to remove.
    expect((await refusal(versions.remove('tool', 'system'))).message).toContain('has no install step');
  });

  it('upgrades by an edit of the version, and a rollback runs the earlier version again', async () => {
    await world();
    await svc.create({ template: 'tool', name: 'a', version: 'v1' }, { wait: true });
    await svc.edit('a', { version: 'v2' }, { apply: true, wait: true });
    expect(specs.at(-1)?.command).toEqual(['/home/versions/tool/v2/run.sh', '--fast']);
    const deps = svc.deployments('a');
    expect(deps.map((d) => d.spec?.version)).toEqual(['v2', 'v1']);
    await svc.rollback('a', undefined, { wait: true });
    expect(specs.at(-1)?.command).toEqual(['/home/versions/tool/v1/run.sh', '--serve']);
    expect(svc.get('a').config.version).toBe('v1');
  });

  it('refuses an old record whose version the template no longer has, instead of running the default', async () => {
    await world();
    const inst = await svc.create({ template: 'tool', name: 'a', start: false });
    store.instances.update(inst.id, { config: { version: 'gone' } });
    const err = await refusal(svc.start('a', { wait: true }));
    expect(err.message).toContain("version 'gone' is not a version of template 'tool'");
    expect(specs).toHaveLength(0);
  });
});

describe('template versions', () => {
  it('gives an image version its tag on the source image, or its own image', () => {
    expect(withTag('berth-test/busybox:latest', '1.36')).toBe('berth-test/busybox:1.36');
    expect(withTag('localhost:5000/app', 'v2')).toBe('localhost:5000/app:v2');
    expect(withTag('nginx@sha256:abc', 'v2')).toBe('nginx:v2');
    const t = templateSchema.parse({
      name: 'img',
      source: {
        kind: 'image',
        image: 'berth-test/busybox:latest',
        versions: { old: { tag: 'old' }, other: { image: 'alpine:3' } },
      },
    });
    expect(templateAtVersion(t, { config: { version: 'old' } }).source).toMatchObject({
      image: 'berth-test/busybox:old',
    });
    expect(templateAtVersion(t, { config: { version: 'other' } }).source).toMatchObject({
      image: 'alpine:3',
    });
    expect(templateAtVersion(t, { config: {} })).toBe(t);
  });

  it('refuses a version with both or neither of tag and image, and a name that is no folder name', () => {
    const bad = (versions: unknown) =>
      templateSchema.safeParse({ name: 'img', source: { kind: 'image', image: 'a', versions } }).success;
    expect(bad({ v: { tag: 'x', image: 'y' } })).toBe(false);
    expect(bad({ v: {} })).toBe(false);
    expect(bad({ '../x': { tag: 'x' } })).toBe(false);
    expect(bad({ 'v1.2': { tag: 'x' } })).toBe(true);
  });
});
