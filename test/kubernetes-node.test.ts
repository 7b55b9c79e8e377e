import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeBerth, kubeBerth, kubeUnavailable, untilRunning } from './kube-berth.js';
import { until } from './support.js';

// Ports 31500–31599 (inside fake-kube's NodePort range) belong to this file.
const IMAGE = 'berth-test/node:20';
const SERVE = `name: kweb
source:
  kind: image
  image: ${IMAGE}
  command: ["node", "-e", "console.log('serving ' + process.env.BERTH_INSTANCE); require('http').createServer((q, s) => s.end('hi from ' + process.env.BERTH_INSTANCE)).listen(8080)"]
ports:
  - { name: http, containerPort: 8080, preferred: 31500, range: [31500, 31599] }
readiness: { kind: http, port: http, path: / }
replicas: 2
stopTimeoutSeconds: 2
`;

const why = await kubeUnavailable([IMAGE]);

// berth through its services, with a kubernetes node whose cluster is fake-kube (pods run as local containers).
describe.skipIf(why)('a kubernetes node (fake-kube)', () => {
  let t: KubeBerth;
  let berth: KubeBerth['berth'];

  beforeAll(async () => {
    t = await kubeBerth('kube-node', { 'kweb.yaml': SERVE });
    berth = t.berth;
  }, 60_000);

  afterAll(() => t?.close(), 60_000);

  it('is added with its kubeconfig, and its test reports the cluster version', async () => {
    await berth.nodes.add({
      name: 'kube',
      kind: 'kubernetes',
      config: { kubeconfig: join(t.home, 'kubeconfig') },
    });
    expect(await berth.nodes.test('kube')).toMatchObject({
      ok: true,
      version: 'Kubernetes v1.32.0-fake-kube',
    });
  });

  it('runs a template there as 2 replicas behind a NodePort; logs, stop and start work', async () => {
    const inst = await berth.instances.create({ template: 'kweb', name: 'kw', node: 'kube' });
    await untilRunning(berth, inst.id, 60_000);
    const port = berth.instances.ports(inst.id).http!;
    expect(port).toBe(31500);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hi from kw');
    const listed = await berth.runtimes.byKind('kube', 'kubernetes').list(berth.owner);
    expect(listed.map((w) => [w.instanceName, w.replicas?.desired, w.replicas?.running])).toEqual([
      ['kw', 2, 2],
    ]);
    const lines = await berth.logs.read(berth.instances.get(inst.id), { tail: 10 });
    expect(lines.filter((l) => l.line === 'serving kw')).toHaveLength(2);
    await berth.instances.stop(inst.id, { wait: true });
    expect(berth.instances.get(inst.id).status).toBe('stopped');
    await berth.instances.start(inst.id, { wait: true });
    expect(berth.instances.get(inst.id).status).toBe('running');
  });

  it('its stats (what GET /instances/:id/stats answers) give each pod’s share, whole, summing to the total', async () => {
    const inst = berth.instances.get('kw');
    const [w] = await berth.runtimes.byKind('kube', 'kubernetes').list(berth.owner);
    const pods = (w?.replicas?.items ?? []).map((r) => r.id).sort();
    expect(pods).toHaveLength(2);
    // A pass of the sampler's own may be running (sampleOnce then returns at once): wait for one with both pods.
    const got = await until(
      'a sample of kw per pod',
      async () => {
        await berth.sampler.sampleOnce();
        const a = berth.sampler.availability(inst.id);
        return a.available && a.replicas?.length === 2 ? a : undefined;
      },
      20_000,
    );
    expect(got).toMatchObject({ partial: false, reason: null });
    expect(got.replicas?.map((r) => r.replica)).toEqual(pods);
    expect(got.replicas?.every((r) => r.reason === null && r.node === t.kube.nodeName)).toBe(true);
    const [a, b] = got.replicas!;
    const latest = berth.sampler.latest(inst.id);
    expect(a!.memoryBytes! + b!.memoryBytes!).toBe(latest?.memoryBytes);
    // The ring keeps CPU to 2 decimals.
    expect(a!.cpuPercent! + b!.cpuPercent!).toBeCloseTo(latest?.cpuPercent ?? -1, 2);
  }, 60_000);
});
