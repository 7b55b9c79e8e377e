import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKube } from '../src/index.js';

// PersistentVolumeClaims (API, provisioner, kubelet mounts) and the services/proxy path.
const IMAGE = 'berth-test/node:20';
const why = await FakeKube.unavailable([IMAGE]);
if (why && process.env.BERTH_REQUIRE_DOCKER === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why}`);

// biome-ignore lint/suspicious/noExplicitAny: the tests read the API's JSON answers loosely, by path.
type Loose = any;
let kube: FakeKube;
const TOKEN = { authorization: 'Bearer fake-kube-token' };
const call = async (method: string, path: string, body?: unknown): Promise<{ code: number; json: Loose }> => {
  const res = await fetch(`${kube.serverUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { code: res.status, json: await res.json() };
};
const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const SERVICES = '/api/v1/namespaces/default/services';

const claim = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, labels: { app: name } },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  kube = await FakeKube.start({ backoffMs: 500, storageClasses: ['standard', 'fast'] });
});
afterAll(async () => {
  await kube?.close();
});

describe('fake-kube persistentvolumeclaims', () => {
  it('binds a claim of a known class at once, giving one without a class the default class', async () => {
    const made = await call('POST', PVCS, claim('plain'));
    expect(made.code).toBe(201);
    expect(made.json).toMatchObject({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      spec: {
        storageClassName: 'standard',
        volumeMode: 'Filesystem',
        volumeName: expect.stringMatching(/^pvc-/),
      },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
    });
    const fast = await call('POST', PVCS, claim('quick', { storageClassName: 'fast' }));
    expect(fast.json.status.phase).toBe('Bound');
    const list = await call('GET', `${PVCS}?labelSelector=app%3Dquick`);
    expect(list.json).toMatchObject({ kind: 'PersistentVolumeClaimList', apiVersion: 'v1' });
    expect(list.json.items.map((c: Loose) => c.metadata.name)).toEqual(['quick']);
    expect((await call('DELETE', `${PVCS}/quick`)).code).toBe(200);
    expect((await call('GET', `${PVCS}/quick`)).code).toBe(404);
  });

  it('refuses a claim that does not validate against the schema with the API’s 422', async () => {
    const res = await call('POST', PVCS, claim('bad', { accessModes: 'ReadWriteOnce' }));
    expect(res.code).toBe(422);
    expect(res.json).toMatchObject({ reason: 'Invalid', details: { kind: 'PersistentVolumeClaim' } });
    expect(res.json.details.causes[0].field).toBe('spec.accessModes');
  });

  it('leaves a claim of an unknown class Pending with the ProvisioningFailed event', async () => {
    const made = await call('POST', PVCS, claim('lost', { storageClassName: 'gold' }));
    expect(made.json.status.phase).toBe('Pending');
    const events = await until(
      'ProvisioningFailed',
      () => call('GET', '/api/v1/namespaces/default/events'),
      (r) => r.json.items.some((e: Loose) => e.involvedObject.name === 'lost'),
    );
    expect(events.json.items.find((e: Loose) => e.involvedObject.name === 'lost')).toMatchObject({
      type: 'Warning',
      reason: 'ProvisioningFailed',
      message: 'storageclass.storage.k8s.io "gold" not found',
    });
  });

  it('lists persistentvolumeclaims and services/proxy in discovery', async () => {
    const names = (await call('GET', '/api/v1')).json.resources.map((r: Loose) => r.name);
    expect(names).toEqual(expect.arrayContaining(['persistentvolumeclaims', 'services/proxy']));
  });
});

describe('fake-kube services/proxy', () => {
  it('asks for the kubeconfig’s credentials (401 Status without them)', async () => {
    const res = await fetch(`${kube.serverUrl}${SERVICES}/nothing:80/proxy/`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('answers 404 for a Service that does not exist and 503 for one without ready endpoints', async () => {
    const missing = await fetch(`${kube.serverUrl}${SERVICES}/nothing:80/proxy/`, { headers: TOKEN });
    expect(missing.status).toBe(404);
    await call('POST', SERVICES, {
      metadata: { name: 'empty' },
      spec: { selector: { app: 'nobody' }, ports: [{ name: 'http', port: 80 }] },
    });
    const empty = await fetch(`${kube.serverUrl}${SERVICES}/empty:http/proxy/`, { headers: TOKEN });
    expect(empty.status).toBe(503);
    expect(await empty.json()).toMatchObject({ message: 'no endpoints available for service "empty"' });
  });
});

describe.skipIf(why)('fake-kube pods with claims, reached through services/proxy', () => {
  // Writes /data/v on /write?v=…, answers with the request's path, the value and any Authorization it got.
  const server = `const fs = require('fs');
require('http').createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/write') fs.writeFileSync('/data/v', u.searchParams.get('v'));
  const value = fs.existsSync('/data/v') ? fs.readFileSync('/data/v', 'utf8') : null;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ path: req.url, value, auth: req.headers.authorization ?? null }));
}).listen(8080);`;
  const deployment = (name: string, claimName: string) => ({
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'main',
              image: IMAGE,
              command: ['node', '-e', server],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
        },
      },
    },
  });
  const proxied = async (path: string): Promise<Loose> => {
    const res = await fetch(`${kube.serverUrl}${SERVICES}/kept:web/proxy${path}`, { headers: TOKEN });
    expect(res.status).toBe(200);
    return res.json();
  };
  const ready = (name: string) =>
    until(
      `${name} ready`,
      () => call('GET', `${DEPLOYMENTS}/${name}`),
      (r) => r.json.status?.readyReplicas === 1,
    );

  it('mounts the claim’s volume, which outlives the pods; the proxy reaches the pod without the caller’s token', async () => {
    await call('POST', PVCS, claim('kept-data'));
    await call('POST', SERVICES, {
      metadata: { name: 'kept' },
      spec: { selector: { app: 'kept' }, ports: [{ name: 'web', port: 80, targetPort: 8080 }] },
    });
    await call('POST', DEPLOYMENTS, deployment('kept', 'kept-data'));
    await ready('kept');
    expect(await proxied('/write?v=hello')).toEqual({ path: '/write?v=hello', value: 'hello', auth: null });
    // The pod goes, a new one comes with the same claim: the value is still there.
    await call('DELETE', `${DEPLOYMENTS}/kept`);
    await until(
      'pods gone',
      () => call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dkept'),
      (r) => r.json.items.length === 0,
    );
    await call('POST', DEPLOYMENTS, deployment('kept', 'kept-data'));
    await ready('kept');
    expect(await proxied('/')).toMatchObject({ value: 'hello' });
  });

  it('keeps a pod whose claim is missing Pending, Unschedulable, saying so', async () => {
    await call('POST', DEPLOYMENTS, deployment('orphan', 'no-such-claim'));
    const pods = await until(
      'pod unschedulable',
      () => call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dorphan'),
      (r) => r.json.items[0]?.status?.conditions?.some((c: Loose) => c.reason === 'Unschedulable'),
    );
    const cond = pods.json.items[0].status.conditions.find((c: Loose) => c.type === 'PodScheduled');
    expect(cond.message).toMatch(/persistentvolumeclaim "no-such-claim" not found/);
  });
});
