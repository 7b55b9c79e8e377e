import {
  API_ORIGIN,
  type ApiToken,
  Conflict,
  type Deployment,
  fileOrigin,
  type Instance,
  type Integration,
  LeaseTaken,
  type NewEvent,
  type NodeRecord,
  NotFound,
  type PortLease,
  type ScanResult,
  type Store,
  type StoredTemplate,
  validateTemplate,
} from '@berth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

export function sampleTemplate(name = 'web', updatedAt = 1_000): StoredTemplate {
  const template = validateTemplate({
    name,
    source: { kind: 'command', command: 'node', args: ['server.js'] },
    ports: [{ name: 'http', env: 'PORT', preferred: 8080 }],
  });
  return { template, origin: fileOrigin(`/templates/${name}.yaml`), updatedAt };
}

export function sampleInstance(over: Partial<Instance> = {}): Instance {
  const name = over.name ?? 'web-1';
  return {
    id: `id-${name}`,
    name,
    template: 'web',
    node: 'local',
    config: { model: 'small', verbose: true, workers: 2 },
    portOverrides: {},
    desiredState: 'running',
    status: 'pending',
    health: null,
    errorMessage: null,
    restartCount: 0,
    lastExitCode: null,
    nextRetryAt: null,
    currentDeploymentId: null,
    dataDir: `/data/instances/web/${name}`,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...over,
  };
}

export function sampleDeployment(over: Partial<Deployment> = {}): Deployment {
  return {
    id: 'dep-1',
    instanceId: 'id-web-1',
    node: 'local',
    runtime: 'process',
    handle: { runtime: 'process', id: '4242', meta: { startTime: 12345, pgid: 4242, tty: null } },
    ports: { http: 8080 },
    url: 'http://localhost:8080',
    status: 'running',
    startedAt: 2_000,
    stoppedAt: null,
    exitCode: null,
    error: null,
    createdAt: 2_000,
    ...over,
  };
}

export function sampleLease(over: Partial<PortLease> = {}): PortLease {
  return {
    host: 'local',
    protocol: 'tcp',
    port: 8080,
    ownerKind: 'instance',
    ownerId: 'id-web-1',
    ownerName: 'web-1',
    portName: 'http',
    createdAt: 1_000,
    ...over,
  };
}

function sampleEvent(over: Partial<NewEvent> = {}): NewEvent & { ts: number } {
  return {
    ts: 1_000,
    type: 'instance.status',
    instanceId: 'id-web-1',
    instanceName: 'web-1',
    message: 'web-1 is running',
    data: { from: 'deploying', to: 'running' },
    ...over,
  };
}

function sampleToken(over: Partial<ApiToken> = {}): ApiToken {
  return {
    id: 'tok-1',
    name: 'ci',
    hash: 'a'.repeat(64),
    role: 'admin',
    createdAt: 1_000,
    lastUsedAt: null,
    revokedAt: null,
    ...over,
  };
}

/** The behaviour every Store implementation must have. `open` gives a fresh, empty store. */
export function storeContract(name: string, open: () => Store | Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());
    const s = () => store;

    templateCases(s);
    instanceCases(s);
    deploymentCases(s);
    leaseCases(s);
    nodeCases(s);
    eventCases(s);
    settingsCases(s);
    tokenCases(s);
    integrationCases(s);
    scanCases(s);
    transactionCases(s);
  });
}

type Get = () => Store;

function templateCases(store: Get): void {
  describe('templates', () => {
    it('stores, replaces, lists by name and deletes templates', () => {
      store().templates.upsert(sampleTemplate('web'));
      store().templates.upsert(sampleTemplate('api'));
      expect(store().templates.find('web')).toEqual(sampleTemplate('web'));
      const replaced = { ...sampleTemplate('web', 5_000), origin: API_ORIGIN };
      store().templates.upsert(replaced);
      expect(store().templates.find('web')).toEqual(replaced);
      expect(
        store()
          .templates.list()
          .map((t) => t.template.name),
      ).toEqual(['api', 'web']);
      expect(store().templates.delete('web')).toBe(true);
      expect(store().templates.delete('web')).toBe(false);
      expect(store().templates.find('web')).toBeUndefined();
    });
  });
}

function instanceCases(store: Get): void {
  describe('instances', () => {
    it('inserts and finds an instance by id and by name, values intact', () => {
      const i = sampleInstance({ portOverrides: { http: 9000 } });
      store().instances.insert(i);
      expect(store().instances.find(i.id)).toEqual(i);
      expect(store().instances.findByName('web-1')).toEqual(i);
      expect(store().instances.find('nope')).toBeUndefined();
      expect(store().instances.findByName('nope')).toBeUndefined();
    });

    it('refuses a second instance with the same name, on insert or rename, with Conflict', () => {
      store().instances.insert(sampleInstance());
      expect(() => store().instances.insert(sampleInstance({ id: 'other' }))).toThrow(Conflict);
      store().instances.insert(sampleInstance({ name: 'web-2' }));
      expect(() => store().instances.update('id-web-2', { name: 'web-1' })).toThrow(Conflict);
      expect(store().instances.find('id-web-2')?.name).toBe('web-2');
    });

    it('lists by template, status and node, alone or together', () => {
      const a = sampleInstance({ name: 'web-1', status: 'running', createdAt: 1 });
      const b = sampleInstance({ name: 'web-2', status: 'stopped', node: 'box', createdAt: 2 });
      const c = sampleInstance({ name: 'api-1', template: 'api', status: 'running', createdAt: 3 });
      for (const i of [a, b, c]) store().instances.insert(i);
      const names = (f?: Parameters<Store['instances']['list']>[0]) =>
        store()
          .instances.list(f)
          .map((i) => i.name);
      expect(names()).toEqual(['web-1', 'web-2', 'api-1']);
      expect(names({ template: 'web' })).toEqual(['web-1', 'web-2']);
      expect(names({ status: 'running' })).toEqual(['web-1', 'api-1']);
      expect(names({ node: 'box' })).toEqual(['web-2']);
      expect(names({ template: 'web', status: 'running', node: 'local' })).toEqual(['web-1']);
      expect(names({ template: 'none' })).toEqual([]);
      expect(store().instances.countByTemplate('web')).toBe(2);
      expect(store().instances.countByTemplate('none')).toBe(0);
    });

    it('finds names by exact prefix', () => {
      for (const name of ['web-1', 'web-10', 'webby', 'api-1', 'web-2']) {
        store().instances.insert(sampleInstance({ name }));
      }
      expect(store().instances.namesWithPrefix('web-').sort()).toEqual(['web-1', 'web-10', 'web-2']);
      expect(store().instances.namesWithPrefix('WEB-')).toEqual([]);
      expect(store().instances.namesWithPrefix('db-')).toEqual([]);
    });

    it('update writes only the given fields and returns the updated instance', () => {
      const i = sampleInstance({ health: 'healthy', errorMessage: 'old' });
      store().instances.insert(i);
      const updated = store().instances.update(i.id, {
        status: 'running',
        config: { model: 'large' },
        errorMessage: null,
        restartCount: 3,
        health: undefined,
      });
      const expected = {
        ...i,
        status: 'running',
        config: { model: 'large' },
        errorMessage: null,
        restartCount: 3,
      };
      expect(updated).toEqual(expected);
      expect(store().instances.find(i.id)).toEqual(expected);
      expect(store().instances.update(i.id, {})).toEqual(expected);
    });

    it('keeps an instance’s own replica count and the replicas last observed, and clears them with null', () => {
      const observed = { desired: 2, running: 1, items: [{ node: 'n1', state: 'running', message: null }] };
      store().instances.insert(sampleInstance({ replicas: 2 }));
      expect(store().instances.find('id-web-1')).toMatchObject({ replicas: 2 });
      store().instances.update('id-web-1', { observedReplicas: observed, replicas: 3 });
      expect(store().instances.find('id-web-1')).toMatchObject({ replicas: 3, observedReplicas: observed });
      store().instances.update('id-web-1', { observedReplicas: null, replicas: null });
      const cleared = store().instances.find('id-web-1');
      expect(cleared?.replicas ?? null).toBeNull();
      expect(cleared?.observedReplicas ?? null).toBeNull();
    });

    it('keeps an instance’s labels, changes them and clears them with null', () => {
      store().instances.insert(sampleInstance({ labels: { team: 'web', 'example.com/tier': 'db' } }));
      expect(store().instances.find('id-web-1')?.labels).toEqual({ team: 'web', 'example.com/tier': 'db' });
      store().instances.update('id-web-1', { labels: { team: 'ops' } });
      expect(store().instances.find('id-web-1')?.labels).toEqual({ team: 'ops' });
      store().instances.update('id-web-1', { labels: null });
      expect(store().instances.find('id-web-1')?.labels ?? null).toBeNull();
    });

    it('update of a missing instance throws NotFound', () => {
      expect(() => store().instances.update('nope', { status: 'running' })).toThrow(NotFound);
    });

    it('delete removes the instance and its deployments', () => {
      store().instances.insert(sampleInstance());
      store().deployments.insert(sampleDeployment());
      store().instances.delete('id-web-1');
      expect(store().instances.find('id-web-1')).toBeUndefined();
      expect(store().deployments.find('dep-1')).toBeUndefined();
      expect(() => store().instances.delete('id-web-1')).not.toThrow();
    });
  });
}

function deploymentCases(store: Get): void {
  describe('deployments', () => {
    beforeEach(() => store().instances.insert(sampleInstance()));

    it('inserts, finds and lists newest first with a limit', () => {
      const d1 = sampleDeployment({ id: 'd1', createdAt: 1 });
      const d2 = sampleDeployment({ id: 'd2', createdAt: 2, handle: null });
      const d3 = sampleDeployment({ id: 'd3', createdAt: 3 });
      for (const d of [d1, d3, d2]) store().deployments.insert(d);
      expect(store().deployments.find('d2')).toEqual(d2);
      expect(store().deployments.find('nope')).toBeUndefined();
      expect(store().deployments.listByInstance('id-web-1')).toEqual([d3, d2, d1]);
      expect(store().deployments.listByInstance('id-web-1', 2)).toEqual([d3, d2]);
      expect(store().deployments.listByInstance('other')).toEqual([]);
    });

    it('update writes only the given fields; a missing deployment is NotFound', () => {
      const d = sampleDeployment();
      store().deployments.insert(d);
      const patch = { status: 'stopped', stoppedAt: 9_000, exitCode: 0, handle: null } as const;
      expect(store().deployments.update(d.id, patch)).toEqual({ ...d, ...patch });
      expect(store().deployments.find(d.id)).toEqual({ ...d, ...patch });
      expect(() => store().deployments.update('nope', { status: 'stopped' })).toThrow(NotFound);
    });
  });
}

function leaseCases(store: Get): void {
  describe('leases', () => {
    it('inserts and finds leases by key, host, owner, and lists hosts', () => {
      const a = sampleLease();
      const b = sampleLease({ protocol: 'udp' });
      const c = sampleLease({ host: 'box', port: 8081, ownerId: 'id-web-2', ownerName: 'web-2' });
      const r = sampleLease({ port: 9999, ownerKind: 'reservation', ownerId: 'ops', portName: null });
      for (const l of [c, r, b, a]) store().leases.insert(l);
      expect(store().leases.find('local', 'tcp', 8080)).toEqual(a);
      expect(store().leases.find('local', 'tcp', 8081)).toBeUndefined();
      expect(sortLeases(store().leases.listByHost('local'))).toEqual(sortLeases([a, b, r]));
      expect(sortLeases(store().leases.listAll())).toEqual(sortLeases([a, b, c, r]));
      expect(store().leases.hosts().sort()).toEqual(['box', 'local']);
      expect(sortLeases(store().leases.listByOwner('id-web-1'))).toEqual(sortLeases([a, b]));
    });

    it('a taken (host, protocol, port) throws LeaseTaken and changes nothing', () => {
      const a = sampleLease();
      store().leases.insert(a);
      const thief = sampleLease({ ownerId: 'id-web-2', ownerName: 'web-2' });
      const err = catchError(() => store().leases.insert(thief));
      expect(err).toBeInstanceOf(LeaseTaken);
      expect(err).toMatchObject({ host: 'local', protocol: 'tcp', port: 8080 });
      expect(store().leases.listAll()).toEqual([a]);
    });

    it('delete says whether it deleted; deleteByOwner returns what it deleted', () => {
      const mine = [sampleLease(), sampleLease({ port: 8081 }), sampleLease({ host: 'box' })];
      const other = sampleLease({ port: 7000, ownerId: 'id-web-2' });
      for (const l of [...mine, other]) store().leases.insert(l);
      expect(store().leases.delete('local', 'tcp', 7000)).toBe(true);
      expect(store().leases.delete('local', 'tcp', 7000)).toBe(false);
      expect(sortLeases(store().leases.deleteByOwner('id-web-1'))).toEqual(sortLeases(mine));
      expect(store().leases.listAll()).toEqual([]);
      expect(store().leases.deleteByOwner('id-web-1')).toEqual([]);
    });
  });
}

function nodeCases(store: Get): void {
  describe('nodes', () => {
    it('stores, replaces, lists and deletes nodes', () => {
      const local: NodeRecord = { name: 'local', kind: 'local', host: 'local', config: {}, createdAt: 1 };
      const box: NodeRecord = {
        name: 'box',
        kind: 'docker',
        host: 'box',
        config: { endpoint: 'tcp://box:2376', tls: { ca: '/ca.pem' } },
        createdAt: 2,
      };
      store().nodes.upsert(local);
      store().nodes.upsert(box);
      expect(store().nodes.find('box')).toEqual(box);
      const moved = { ...box, host: 'box-2', config: { endpoint: 'ssh://box-2' } };
      store().nodes.upsert(moved);
      expect(store().nodes.find('box')).toMatchObject({ host: 'box-2', config: { endpoint: 'ssh://box-2' } });
      expect(
        store()
          .nodes.list()
          .map((n) => n.name),
      ).toEqual(['box', 'local']);
      expect(store().nodes.delete('box')).toBe(true);
      expect(store().nodes.delete('box')).toBe(false);
      expect(store().nodes.find('box')).toBeUndefined();
    });
  });
}

function eventCases(store: Get): void {
  describe('events', () => {
    const appendAll = () => [
      store().events.append(sampleEvent({ ts: 10 })),
      store().events.append(sampleEvent({ ts: 20, instanceId: 'id-api-1', instanceName: 'api-1' })),
      store().events.append(sampleEvent({ ts: 30, type: 'instance.health', data: {} })),
      store().events.append(
        sampleEvent({ ts: 40, type: 'node.status', instanceId: null, instanceName: null, data: { n: 1 } }),
      ),
      store().events.append(sampleEvent({ ts: 50 })),
    ];

    it('append gives increasing ids and returns the stored event', () => {
      const [first, second] = appendAll();
      expect(first).toEqual({ ...sampleEvent({ ts: 10 }), id: expect.any(Number) });
      expect(second!.id).toBeGreaterThan(first!.id);
      expect(store().events.list()).toHaveLength(5);
    });

    it('lists oldest first, by instance, after an id or a time', () => {
      const all = appendAll();
      const ids = (q?: Parameters<Store['events']['list']>[0]) =>
        store()
          .events.list(q)
          .map((e) => e.id);
      const at = (...i: number[]) => i.map((n) => all[n]!.id);
      expect(store().events.list()).toEqual(all);
      expect(ids({ instanceId: 'id-web-1' })).toEqual(at(0, 2, 4));
      expect(ids({ sinceId: all[1]!.id })).toEqual(at(2, 3, 4));
      expect(ids({ sinceTs: 30 })).toEqual(at(2, 3, 4));
      expect(ids({ instanceId: 'id-web-1', sinceId: all[0]!.id })).toEqual(at(2, 4));
    });

    it('limit gives the latest events, or the first ones after sinceId', () => {
      const all = appendAll();
      const ids = (q: Parameters<Store['events']['list']>[0]) =>
        store()
          .events.list(q)
          .map((e) => e.id);
      const at = (...i: number[]) => i.map((n) => all[n]!.id);
      expect(ids({ limit: 2 })).toEqual(at(3, 4));
      expect(ids({ limit: 2, instanceId: 'id-web-1' })).toEqual(at(2, 4));
      expect(ids({ limit: 2, sinceId: all[0]!.id })).toEqual(at(1, 2));
      expect(ids({ limit: 0 })).toEqual([]);
    });
  });
}

function settingsCases(store: Get): void {
  describe('settings', () => {
    it('gets, sets, overwrites and deletes', () => {
      expect(store().settings.get('proxy.domain')).toBeUndefined();
      store().settings.set('proxy.domain', 'localhost');
      store().settings.set('proxy.domain', 'berth.test');
      expect(store().settings.get('proxy.domain')).toBe('berth.test');
      store().settings.delete('proxy.domain');
      store().settings.delete('proxy.domain');
      expect(store().settings.get('proxy.domain')).toBeUndefined();
    });
  });
}

function tokenCases(store: Get): void {
  describe('tokens', () => {
    it('inserts and finds tokens by id and hash', () => {
      const t = sampleToken();
      store().tokens.insert(t);
      store().tokens.insert(sampleToken({ id: 'tok-2', hash: 'b'.repeat(64), createdAt: 2_000 }));
      expect(store().tokens.find('tok-1')).toEqual(t);
      expect(store().tokens.findByHash('a'.repeat(64))).toEqual(t);
      expect(store().tokens.findByHash('c'.repeat(64))).toBeUndefined();
      expect(
        store()
          .tokens.list()
          .map((x) => x.id),
      ).toEqual(['tok-1', 'tok-2']);
    });

    it('touch records use; revoke happens once and keeps the first time', () => {
      store().tokens.insert(sampleToken());
      store().tokens.touch('tok-1', 5_000);
      expect(store().tokens.find('tok-1')?.lastUsedAt).toBe(5_000);
      expect(store().tokens.revoke('tok-1', 6_000)).toBe(true);
      expect(store().tokens.revoke('tok-1', 7_000)).toBe(false);
      expect(store().tokens.find('tok-1')?.revokedAt).toBe(6_000);
      expect(store().tokens.revoke('nope', 6_000)).toBe(false);
    });

    it('rehash replaces the stored hash and keeps the role', () => {
      store().tokens.insert(sampleToken({ role: 'operate' }));
      store().tokens.rehash('tok-1', 'hmac-sha256:ff');
      expect(store().tokens.find('tok-1')).toMatchObject({ hash: 'hmac-sha256:ff', role: 'operate' });
      expect(store().tokens.findByHash('a'.repeat(64))).toBeUndefined();
    });
  });
}

export function sampleIntegration(over: Partial<Integration> = {}): Integration {
  const name = over.name ?? 'prod';
  return {
    id: `int-${name}`,
    name,
    type: 'portainer',
    enabled: true,
    autoDetect: true,
    scanIntervalSeconds: 300,
    config: { url: 'https://portainer.example.com', verifySsl: true, environments: 'all' },
    secrets: 'v1:abc:sealed',
    createdAt: 1_000,
    updatedAt: 1_000,
    lastScanAt: null,
    lastScanError: null,
    lastScanStatus: null,
    ...over,
  };
}

export function sampleScan(over: Partial<ScanResult> = {}): ScanResult {
  return {
    integrationId: 'int-prod',
    host: 'box',
    containerName: 'web',
    containerId: 'c0ffee',
    image: 'nginx:1.27',
    state: 'running',
    ports: [
      { port: 8080, protocol: 'tcp' },
      { port: 5353, protocol: 'udp' },
    ],
    lastSeen: 2_000,
    ...over,
  };
}

function integrationCases(store: Get): void {
  describe('integrations', () => {
    it('inserts and finds by id and name, values intact, listed oldest first', () => {
      const a = sampleIntegration();
      const b = sampleIntegration({
        name: 'local',
        type: 'docker',
        enabled: false,
        autoDetect: false,
        secrets: null,
        config: { host: 'unix:///var/run/docker.sock', timeout: 30 },
        createdAt: 2_000,
      });
      store().integrations.insert(b);
      store().integrations.insert(a);
      expect(store().integrations.find(a.id)).toEqual(a);
      expect(store().integrations.findByName('local')).toEqual(b);
      expect(store().integrations.find('nope')).toBeUndefined();
      expect(
        store()
          .integrations.list()
          .map((i) => i.name),
      ).toEqual(['prod', 'local']);
    });

    it('refuses a second integration with the same name, on insert or rename, with Conflict', () => {
      store().integrations.insert(sampleIntegration());
      expect(() => store().integrations.insert(sampleIntegration({ id: 'other' }))).toThrow(Conflict);
      store().integrations.insert(sampleIntegration({ name: 'dev' }));
      expect(() => store().integrations.update('int-dev', { name: 'prod' })).toThrow(Conflict);
    });

    it('update writes only the given fields, booleans included; a missing one is NotFound', () => {
      const i = sampleIntegration();
      store().integrations.insert(i);
      const patch = {
        enabled: false,
        lastScanAt: 5_000,
        lastScanStatus: 'error',
        lastScanError: 'connection refused',
      } as const;
      expect(store().integrations.update(i.id, patch)).toEqual({ ...i, ...patch });
      expect(store().integrations.update(i.id, { autoDetect: false }).autoDetect).toBe(false);
      expect(store().integrations.find(i.id)).toEqual({ ...i, ...patch, autoDetect: false });
      expect(() => store().integrations.update('nope', { enabled: true })).toThrow(NotFound);
    });

    it('delete says whether it deleted and takes the scan results with it', () => {
      store().integrations.insert(sampleIntegration());
      store().scans.replace('int-prod', [sampleScan()]);
      expect(store().integrations.delete('int-prod')).toBe(true);
      expect(store().integrations.delete('int-prod')).toBe(false);
      expect(store().scans.listAll()).toEqual([]);
    });
  });
}

function scanCases(store: Get): void {
  describe('scan results', () => {
    beforeEach(() => {
      store().integrations.insert(sampleIntegration());
      store().integrations.insert(sampleIntegration({ name: 'dev' }));
    });

    it("replace swaps one integration's rows and leaves the others", () => {
      const web = sampleScan();
      const db = sampleScan({ containerName: 'db', containerId: null, ports: [], state: 'exited' });
      const other = sampleScan({ integrationId: 'int-dev', host: 'local', containerName: 'api' });
      store().scans.replace('int-prod', [web, db]);
      store().scans.replace('int-dev', [other]);
      expect(store().scans.listByIntegration('int-prod')).toEqual([db, web]);
      const next = sampleScan({ containerName: 'cache', lastSeen: 3_000 });
      store().scans.replace('int-prod', [next]);
      expect(store().scans.listByIntegration('int-prod')).toEqual([next]);
      expect(store().scans.listByIntegration('int-dev')).toEqual([other]);
      store().scans.replace('int-prod', []);
      expect(store().scans.listByIntegration('int-prod')).toEqual([]);
    });

    it('lists by host and all, and names the hosts', () => {
      const a = sampleScan({ host: 'box' });
      const b = sampleScan({ integrationId: 'int-dev', host: 'local', containerName: 'api' });
      store().scans.replace('int-prod', [a]);
      store().scans.replace('int-dev', [b]);
      expect(store().scans.listByHost('local')).toEqual([b]);
      expect(store().scans.listByHost('nowhere')).toEqual([]);
      expect(store().scans.listAll()).toEqual([a, b]);
      expect(store().scans.hosts()).toEqual(['box', 'local']);
    });

    it('a replace inside a transaction that throws is rolled back', () => {
      store().scans.replace('int-prod', [sampleScan()]);
      expect(() =>
        store().transaction(() => {
          store().scans.replace('int-prod', []);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(store().scans.listByIntegration('int-prod')).toHaveLength(1);
    });
  });
}

function transactionCases(store: Get): void {
  describe('transaction', () => {
    it('returns what the function returns and commits', () => {
      const n = store().transaction(() => {
        store().instances.insert(sampleInstance());
        store().leases.insert(sampleLease());
        return 42;
      });
      expect(n).toBe(42);
      expect(store().instances.find('id-web-1')).toBeDefined();
      expect(store().leases.listAll()).toHaveLength(1);
    });

    it('a throw rolls back everything written inside it and rethrows', () => {
      store().settings.set('kept', 'yes');
      const boom = new Error('boom');
      expect(() =>
        store().transaction(() => {
          store().instances.insert(sampleInstance());
          store().leases.insert(sampleLease());
          store().settings.set('kept', 'no');
          store().events.append(sampleEvent());
          throw boom;
        }),
      ).toThrow(boom);
      expect(store().instances.list()).toEqual([]);
      expect(store().leases.listAll()).toEqual([]);
      expect(store().events.list()).toEqual([]);
      expect(store().settings.get('kept')).toBe('yes');
    });

    it('a caught LeaseTaken inside a transaction leaves the rest of it to commit', () => {
      store().leases.insert(sampleLease({ port: 8080 }));
      store().transaction(() => {
        store().leases.insert(sampleLease({ port: 8081 }));
        expect(() => store().leases.insert(sampleLease({ port: 8080, ownerId: 'x' }))).toThrow(LeaseTaken);
        store().leases.insert(sampleLease({ port: 8082 }));
      });
      expect(sortLeases(store().leases.listAll()).map((l) => [l.port, l.ownerId])).toEqual([
        [8080, 'id-web-1'],
        [8081, 'id-web-1'],
        [8082, 'id-web-1'],
      ]);
    });

    it('nests: an inner throw caught by the outer rolls back only the inner', () => {
      store().transaction(() => {
        store().leases.insert(sampleLease({ port: 1001 }));
        expect(() =>
          store().transaction(() => {
            store().leases.insert(sampleLease({ port: 1002 }));
            throw new Error('inner');
          }),
        ).toThrow('inner');
        store().transaction(() => store().leases.insert(sampleLease({ port: 1003 })));
      });
      expect(sortLeases(store().leases.listAll()).map((l) => l.port)).toEqual([1001, 1003]);
    });

    it('nests: an outer throw rolls back the inner that succeeded', () => {
      expect(() =>
        store().transaction(() => {
          store().transaction(() => store().leases.insert(sampleLease({ port: 1002 })));
          throw new Error('outer');
        }),
      ).toThrow('outer');
      expect(store().leases.listAll()).toEqual([]);
    });
  });
}

function sortLeases(list: PortLease[]): PortLease[] {
  const key = (l: PortLease) => `${l.host}/${l.protocol}/${String(l.port).padStart(5, '0')}`;
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
