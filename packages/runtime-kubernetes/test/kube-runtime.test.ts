import { isStatsUnavailable, PortBindFailed, partialReason, silentLogger } from '@berth/core';
import { freePortInRange } from '@berth/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubePortSource } from '../src/kube-port-source.js';
import { KubernetesRuntime } from '../src/kubernetes-runtime.js';
import { fakeKubeOrSkip, type KubeWorld, kubeWorld, serverSpec } from './kube-fixture.js';

const skip = await fakeKubeOrSkip();
const owner = `kube-rt-${process.pid}`;
let seq = 0;
const next = async (extra: Partial<Parameters<typeof serverSpec>[0]> = {}) => {
  seq++;
  return serverSpec({
    instanceId: `kube-rt-${process.pid}-${seq}`,
    name: `rt-${seq}`,
    port: await freePortInRange(32000, 32767),
    owner,
    ...extra,
  });
};

describe.skipIf(skip)('KubernetesRuntime on fake-kube', () => {
  let w: KubeWorld;
  beforeAll(async () => {
    w = await kubeWorld();
  });
  afterEach(async () => {
    for (const o of [owner, `${owner}-other`]) {
      for (const x of await w.runtime.list(o)) await w.runtime.remove(x.handle);
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  it('runs replicas: 3 as three ready pods <deployment>-<hash>-<random>, with each replica reported and logged', async () => {
    const spec = await next({ replicas: 3 });
    const seen = await w.runtime.deploy(spec);
    expect(seen.replicas).toMatchObject({ desired: 3, running: 3 });
    expect(seen.replicas?.items.map((r) => r.state)).toEqual(['Running', 'Running', 'Running']);
    const pods = await w.client.core.listNamespacedPod({
      namespace: 'default',
      labelSelector: `berth.instance-id=${spec.instanceId}`,
    });
    expect(pods.items.map((p) => p.metadata?.name)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${seen.handle.id}-[0-9a-f]{10}-[a-z0-9]{5}$`)),
      ]),
    );
    expect(pods.items).toHaveLength(3);
    const lines = [];
    for await (const l of w.runtime.logs(seen.handle, { tail: 100 })) lines.push(l);
    expect(lines.filter((l) => l.line === `hello ${spec.instanceName}`)).toHaveLength(3);
  });

  it('stats of replicas: 2 give each pod its share from metrics.k8s.io, on its node, and the shares sum to the total', async () => {
    const spec = await next({ replicas: 2 });
    const seen = await w.runtime.deploy(spec);
    const got = (await w.runtime.stats([seen.handle])).get(seen.handle.id);
    if (!got || isStatsUnavailable(got)) throw new Error(`stats n/a: ${JSON.stringify(got)}`);
    const pods = (seen.replicas?.items ?? []).map((r) => r.id).sort();
    expect(pods).toHaveLength(2);
    expect(got.replicas?.map((r) => r.replica)).toEqual(pods);
    for (const r of got.replicas ?? []) {
      expect(r).toMatchObject({ node: w.fake.nodeName, reason: null });
      expect(r.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(r.memoryBytes).toBeGreaterThan(1024 * 1024);
    }
    const shares = got.replicas!;
    expect(shares[0]!.cpuPercent! + shares[1]!.cpuPercent!).toBeCloseTo(got.cpuPercent, 6);
    expect(shares[0]!.memoryBytes! + shares[1]!.memoryBytes!).toBe(got.memoryBytes);
    expect(got.memoryPercent).toBeGreaterThan(0);
    expect(partialReason(got.replicas)).toBeNull();
  });

  it('a container that keeps crashing fails the deploy with CrashLoopBackOff in words, leaving nothing', async () => {
    const spec = await next({ env: { CRASH: '1' } });
    await expect(w.runtime.deploy(spec)).rejects.toThrow(
      /keeps crashing \(CrashLoopBackOff, last exit code 3/,
    );
    expect(await w.runtime.list(owner)).toEqual([]);
  });

  it('a running instance that starts crash-looping is seen not running, with its exit code and the reason per replica', async () => {
    const spec = await next();
    const seen = await w.runtime.deploy(spec);
    await fetch(`http://127.0.0.1:${spec.ports[0]!.hostPort}/crash`).catch(() => undefined);
    const deadline = Date.now() + 30_000;
    let now = await w.runtime.inspect(seen.handle);
    while (Date.now() < deadline && now?.replicas?.items[0]?.state !== 'CrashLoopBackOff') {
      await new Promise((r) => setTimeout(r, 100));
      now = await w.runtime.inspect(seen.handle);
    }
    expect(now).toMatchObject({ running: false, exitCode: 4 });
    expect(now?.replicas?.items[0]?.message).toMatch(/keeps crashing \(CrashLoopBackOff, last exit code 4/);
  });

  it('an image the cluster cannot pull fails with ImagePullBackOff naming the image', async () => {
    const spec = await next();
    spec.source = { ...spec.source, image: 'berth-test/no-such-image:1' } as typeof spec.source;
    await expect(w.runtime.deploy(spec)).rejects.toThrow(
      /image berth-test\/no-such-image:1 .*cannot be pulled \(ImagePullBackOff\)/,
    );
  });

  it('a pod no node can hold fails as Unschedulable with the scheduler’s reason', async () => {
    const spec = { ...(await next()), resources: { memoryMb: 64 * 1024 * 1024 } };
    await expect(w.runtime.deploy(spec)).rejects.toThrow(/Unschedulable.*Insufficient memory/);
  });

  it('secret config values go into a Secret the pod reads, never into the Deployment’s env', async () => {
    const spec = { ...(await next({ env: { API_KEY: 's3cret-value' } })), secretEnv: ['API_KEY'] };
    const seen = await w.runtime.deploy(spec);
    const d = await w.client.apps.readNamespacedDeployment({ name: seen.handle.id, namespace: 'default' });
    expect(JSON.stringify(d)).not.toContain('s3cret-value');
    const env = d.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'API_KEY');
    expect(env?.valueFrom?.secretKeyRef).toEqual({ name: seen.handle.id, key: 'API_KEY' });
    const secret = await w.client.core.readNamespacedSecret({ name: seen.handle.id, namespace: 'default' });
    expect(Buffer.from(secret.data?.API_KEY ?? '', 'base64').toString()).toBe('s3cret-value');
    expect(secret.metadata?.labels?.['berth.owner']).toBe(owner);
    const lines = [];
    for await (const l of w.runtime.logs(seen.handle, { tail: 100 })) lines.push(l.line);
    expect(lines).toContain('api key s3cret-value');
  });

  it('a restarted berth adopts its instances by labels: list finds them with ids, names and ports', async () => {
    const spec = await next();
    await w.runtime.deploy(spec);
    const restarted = new KubernetesRuntime({ client: w.client, address: '127.0.0.1', log: silentLogger });
    const found = (await restarted.list(owner)).find((x) => x.instanceId === spec.instanceId);
    expect(found).toMatchObject({
      running: true,
      instanceName: spec.instanceName,
      owner,
      ports: { http: spec.ports[0]!.hostPort },
    });
    expect((await restarted.inspect(found!.handle))?.running).toBe(true);
  });

  it("gc removes only this installation's objects: another owner's and unlabelled ones stay", async () => {
    const mine = await w.runtime.deploy(await next());
    const theirs = await w.runtime.deploy(await next({ owner: `${owner}-other` }));
    await w.client.apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'foreign' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'foreign' } },
          template: {
            metadata: { labels: { app: 'foreign' } },
            spec: { containers: [{ name: 'c', image: 'berth-test/node:20' }] },
          },
        },
      },
    });
    // A handle that names another owner's objects as if they were ours: remove must leave them.
    await w.runtime.remove({ ...theirs.handle, meta: { ...theirs.handle.meta, owner } });
    for (const x of await w.runtime.list(owner)) await w.runtime.remove(x.handle);
    expect(await w.runtime.inspect(mine.handle)).toBeUndefined();
    expect(await w.runtime.list(`${owner}-other`)).toHaveLength(1);
    const names = (await w.client.apps.listNamespacedDeployment({ namespace: 'default' })).items.map(
      (d) => d.metadata?.name,
    );
    expect(names).toContain('foreign');
    expect(names).toContain(theirs.handle.id);
    await w.client.apps.deleteNamespacedDeployment({ name: 'foreign', namespace: 'default' });
  });

  it('every Service’s NodePort in the cluster is taken for the ledger, and deploying onto one is PortBindFailed', async () => {
    const port = await freePortInRange(32000, 32767);
    await w.client.core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'someone-else' },
        spec: { type: 'NodePort', ports: [{ port: 80, nodePort: port }] },
      },
    });
    const spec = await next();
    const own = await w.runtime.deploy(spec);
    const taken = await new KubePortSource(w.client, 'kube').taken('kube');
    expect(taken).toContainEqual({
      port,
      protocol: 'tcp',
      usedBy: 'Kubernetes Service default/someone-else',
      kind: 'service',
    });
    expect(taken.find((t) => t.port === spec.ports[0]!.hostPort)).toMatchObject({
      kind: 'service',
      instanceId: spec.instanceId,
    });
    expect(await new KubePortSource(w.client, 'kube').taken('elsewhere')).toEqual([]);
    const clash = await next();
    clash.ports = [{ ...clash.ports[0]!, hostPort: port }];
    clash.readiness = { kind: 'http', port, path: '/' };
    const err = await w.runtime.deploy(clash).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortBindFailed);
    expect((err as PortBindFailed).ports).toEqual([{ name: 'http', hostPort: port, protocol: 'tcp' }]);
    expect((await w.runtime.inspect(own.handle))?.running).toBe(true);
    await w.client.core.deleteNamespacedService({ name: 'someone-else', namespace: 'default' });
  });
});

describe.skipIf(skip)('KubernetesRuntime stats without metrics.k8s.io', () => {
  it('says n/a with the reason when the cluster serves no metrics API', async () => {
    const w = await kubeWorld({ metrics: false });
    try {
      const seen = await w.runtime.deploy(await next());
      await expect(w.runtime.stats([seen.handle])).rejects.toThrow(
        /n\/a: this cluster does not serve metrics\.k8s\.io/,
      );
      await w.runtime.remove(seen.handle);
    } finally {
      await w.close();
    }
  });
});
