import { type DataSettings, silentLogger, type WorkloadHandle } from '@berth/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { objectName } from '../src/kube-labels.js';
import { KubeServiceGateway } from '../src/kube-service-gateway.js';
import { KubernetesRuntime } from '../src/kubernetes-runtime.js';
import { fakeKubeOrSkip, type KubeWorld, kubeWorld, serverSpec } from './kube-fixture.js';

// ClusterIP Services only: nothing here takes a NodePort (the Service port 20080 is data, never bound).
const skip = await fakeKubeOrSkip();
const owner = `kube-pvc-${process.pid}`;
const SERVICE_PORT = 20080;

/** Writes /data/v on /write?v=…; answers with the value and any Authorization header it got. */
const STORE = `const fs = require('fs');
require('http').createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/write') fs.writeFileSync('/data/v', u.searchParams.get('v'));
  const value = fs.existsSync('/data/v') ? fs.readFileSync('/data/v', 'utf8') : null;
  res.end(JSON.stringify({ value, auth: req.headers.authorization ?? null }));
}).listen(Number(process.env.PORT));`;

let seq = 0;
function spec(data?: DataSettings) {
  seq++;
  const s = serverSpec({ instanceId: `${owner}-${seq}`, name: `pvc-${seq}`, port: SERVICE_PORT, owner });
  s.source = { ...s.source, command: ['node', '-e', STORE] } as typeof s.source;
  if (data) s.data = data;
  return s;
}

describe.skipIf(skip)('KubernetesRuntime: persistent data and ClusterIP Services (fake-kube)', () => {
  let w: KubeWorld;
  let runtime: KubernetesRuntime;
  let gateway: KubeServiceGateway;
  const claims = async (instanceId: string) =>
    (
      await w.client.core.listNamespacedPersistentVolumeClaim({
        namespace: 'default',
        labelSelector: `berth.instance-id=${instanceId}`,
      })
    ).items;
  /** A GET through the API server's service proxy, as berth's proxy makes it. */
  const via = async (s: ReturnType<typeof spec>, path: string) => {
    const up = await gateway.upstream(
      { instanceId: s.instanceId, instanceName: s.instanceName, owner },
      'http',
    );
    const res = await fetch(`${up.url}${path}`, { headers: up.headers });
    expect(res.status).toBe(200);
    return (await res.json()) as { value: string | null; auth: string | null };
  };

  beforeAll(async () => {
    w = await kubeWorld({ storageClasses: ['standard', 'fast'] });
    runtime = new KubernetesRuntime({
      client: w.client,
      address: '127.0.0.1',
      log: silentLogger,
      serviceType: 'ClusterIP',
      storageClass: 'fast',
    });
    gateway = new KubeServiceGateway(w.client);
  });
  afterEach(async () => {
    for (const x of await runtime.list(owner)) await runtime.remove(x.handle, { volumes: true });
  });
  afterAll(async () => {
    await w?.close();
  });

  it('keeps the data claim across redeploys; remove deletes it only with volumes', async () => {
    const s = spec({ persistent: true, size: '256Mi' });
    const first = await runtime.deploy(s);
    const [claim] = await claims(s.instanceId);
    expect(claim).toMatchObject({
      metadata: {
        name: first.handle.id,
        labels: { 'berth.managed': 'true', 'berth.owner': owner, 'berth.instance-id': s.instanceId },
      },
      // No class in the template: the node's.
      spec: { storageClassName: 'fast', resources: { requests: { storage: '256Mi' } } },
      status: { phase: 'Bound' },
    });
    const svc = await w.client.core.readNamespacedService({ name: first.handle.id, namespace: 'default' });
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports?.map((p) => [p.port, p.targetPort, p.nodePort])).toEqual([
      [SERVICE_PORT, 8080, undefined],
    ]);
    // Through the API server; the kubeconfig's token is not passed on to the pod.
    expect(await via(s, '/write?v=kept')).toEqual({ value: 'kept', auth: null });

    await runtime.remove(first.handle);
    expect(await claims(s.instanceId)).toHaveLength(1);
    const second = await runtime.deploy(s);
    expect((await via(s, '/')).value).toBe('kept');

    await runtime.remove(second.handle, { volumes: true });
    expect(await claims(s.instanceId)).toEqual([]);
  });

  it('without persistence the data directory is an emptyDir and no claim is made', async () => {
    const s = spec();
    const seen = await runtime.deploy(s);
    const d = await w.client.apps.readNamespacedDeployment({ name: seen.handle.id, namespace: 'default' });
    expect(d.spec?.template.spec?.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(await claims(s.instanceId)).toEqual([]);
  });

  it('never deletes a claim of that name another installation made', async () => {
    const s = spec({ persistent: true, size: '1Gi' });
    const name = objectName(s);
    await w.client.core.createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: {
        metadata: { name, labels: { 'berth.owner': 'someone-else' } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    const handle: WorkloadHandle = { runtime: 'kubernetes', id: name, meta: { owner } };
    await runtime.remove(handle, { volumes: true });
    const still = await w.client.core.readNamespacedPersistentVolumeClaim({ name, namespace: 'default' });
    expect(still.metadata?.labels?.['berth.owner']).toBe('someone-else');
    await w.client.core.deleteNamespacedPersistentVolumeClaim({ name, namespace: 'default' });
  });

  it('a claim of a class the cluster lacks fails the deploy as Unschedulable, leaving no claim behind', async () => {
    const s = spec({ persistent: true, size: '1Gi', storageClass: 'gold' });
    await expect(runtime.deploy(s)).rejects.toThrow(
      /cannot be scheduled on any node \(Unschedulable\): .*unbound immediate PersistentVolumeClaims/,
    );
    expect(await claims(s.instanceId)).toEqual([]);
  });
});
