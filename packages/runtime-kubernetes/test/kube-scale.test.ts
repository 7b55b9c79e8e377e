import { freePortInRange } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeKubeOrSkip, type KubeWorld, kubeWorld, serverSpec } from './kube-fixture.js';

const skip = await fakeKubeOrSkip();
const owner = `kube-scale-${process.pid}`;

describe.skipIf(skip)('KubernetesRuntime.scale on fake-kube', () => {
  let w: KubeWorld;
  beforeAll(async () => {
    w = await kubeWorld();
  });
  afterAll(async () => {
    if (w) for (const x of await w.runtime.list(owner)) await w.runtime.remove(x.handle);
    await w?.close();
  });

  const podNames = async (instanceId: string) =>
    (
      await w.client.core.listNamespacedPod({
        namespace: 'default',
        labelSelector: `berth.instance-id=${instanceId}`,
      })
    ).items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .map((p) => p.metadata!.name!);

  it('patches the replicas of the same Deployment: 2 → 1 → 3, the pods that ran keep running', async () => {
    const spec = serverSpec({
      instanceId: `${owner}-1`,
      name: 'scale-1',
      port: await freePortInRange(32000, 32767),
      owner,
      replicas: 2,
    });
    const first = await w.runtime.deploy(spec);
    expect(first.replicas).toMatchObject({ desired: 2, running: 2 });
    // Each pod is reached through the Service's NodePort: its replica row says so, as Swarm's and compose's do.
    const nodePort = { hostPort: spec.ports[0]!.hostPort, containerPort: 8080, protocol: 'tcp' };
    expect(first.replicas?.items.map((r) => r.ports)).toEqual([[nodePort], [nodePort]]);
    const uid = (
      await w.client.apps.readNamespacedDeployment({ name: first.handle.id, namespace: 'default' })
    ).metadata?.uid;
    const two = await podNames(spec.instanceId);
    expect(two).toHaveLength(2);
    // Following the logs of 2 pods, each line says which pod (replica) wrote it, as the tail does.
    const ac = new AbortController();
    const seen = new Map<string, string>();
    for await (const l of w.runtime.logs(first.handle, { follow: true, tail: 5, signal: ac.signal })) {
      if (l.line.startsWith('hello ')) seen.set(l.replica ?? '?', l.line);
      if (seen.size === 2) ac.abort();
    }
    expect([...seen.keys()].sort()).toEqual([...two].sort());
    const tail: (string | undefined)[] = [];
    for await (const l of w.runtime.logs(first.handle, { tail: 10 })) tail.push(l.replica);
    expect(new Set(tail)).toEqual(new Set(two));

    const down = await w.runtime.scale!(first.handle, spec, 1);
    expect(down.replicas).toMatchObject({ desired: 1, running: 1 });
    const d1 = await w.client.apps.readNamespacedDeployment({ name: first.handle.id, namespace: 'default' });
    expect(d1.metadata?.uid).toBe(uid);
    expect(d1.spec?.replicas).toBe(1);
    const one = await podNames(spec.instanceId);
    expect(one).toHaveLength(1);
    expect(two).toContain(one[0]);

    const up = await w.runtime.scale!(first.handle, spec, 3);
    expect(up.replicas).toMatchObject({ desired: 3, running: 3 });
    const d3 = await w.client.apps.readNamespacedDeployment({ name: first.handle.id, namespace: 'default' });
    expect(d3.metadata?.uid).toBe(uid);
    expect(d3.spec?.replicas).toBe(3);
    const three = await podNames(spec.instanceId);
    expect(three).toHaveLength(3);
    // The pod that ran through both scales is still there: nothing was rolled out or restarted.
    expect(three).toContain(one[0]);
    expect(await (await fetch(`http://127.0.0.1:${spec.ports[0]!.hostPort}/`)).text()).toBe('ok');
  }, 120_000);

  it('refuses to scale a Deployment that is gone, naming the instance', async () => {
    const spec = serverSpec({
      instanceId: `${owner}-2`,
      name: 'scale-2',
      port: await freePortInRange(32000, 32767),
      owner,
    });
    const seen = await w.runtime.deploy(spec);
    await w.runtime.remove(seen.handle);
    await expect(w.runtime.scale!(seen.handle, spec, 2)).rejects.toThrow(
      /scale-2: its Deployment .* is gone/,
    );
  }, 120_000);
});
