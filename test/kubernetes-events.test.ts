import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeBerth, kubeBerth, kubeUnavailable, untilRunning } from './kube-berth.js';
import { until } from './support.js';

// Ports 31750–31759 (inside fake-kube's NodePort range) belong to this file.
const IMAGE = 'berth-test/node:20';
const SERVE = `name: kcrash
source:
  kind: image
  image: ${IMAGE}
  command: ["node", "-e", "require('http').createServer((q, s) => { if (q.url === '/crash') process.exit(4); s.end('ok'); }).listen(8080)"]
ports:
  - { name: http, containerPort: 8080, preferred: 31750, range: [31750, 31759] }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
`;

const why = await kubeUnavailable([IMAGE]);

// The cluster's Events about an instance's Deployment and pods become berth events, each once.
describe.skipIf(why)('kubernetes events and stats n/a through berth (fake-kube)', () => {
  let t: KubeBerth;
  let berth: KubeBerth['berth'];

  beforeAll(async () => {
    // Without metrics.k8s.io, as a cluster without metrics-server: stats are n/a, with that reason.
    t = await kubeBerth('kube-events', { 'kcrash.yaml': SERVE }, { fake: { metrics: false }, node: {} });
    berth = t.berth;
  }, 60_000);

  afterAll(() => t?.close(), 60_000);

  it('a pod whose container crashed shows the kubelet’s Warning BackOff as a berth event, each event told once', async () => {
    const inst = await berth.instances.create({ template: 'kcrash', name: 'kc', node: 'kube' });
    await untilRunning(berth, inst.id, 60_000);
    const cluster = () =>
      berth.store.events.list({ instanceId: inst.id }).filter((e) => e.type === 'instance.cluster');
    const started = await until(
      'Started told',
      () => cluster().find((e) => e.data.reason === 'Started'),
      20_000,
    );
    expect(started.message).toMatch(/^Normal Started on Pod\/kc-/);
    await fetch(`http://127.0.0.1:${berth.instances.ports(inst.id).http}/crash`).catch(() => undefined);
    const backOff = await until(
      'BackOff told',
      () => cluster().find((e) => e.data.reason === 'BackOff'),
      30_000,
    );
    expect(backOff.message).toMatch(
      /^Warning BackOff on Pod\/kc-[a-z0-9-]+: Back-off restarting failed container$/,
    );
    // Ticks keep listing the same Events: none is told twice.
    await new Promise((r) => setTimeout(r, 3000));
    const uids = cluster().map((e) => e.data.uid);
    expect(uids.length).toBeGreaterThan(1);
    expect(new Set(uids).size).toBe(uids.length);
  }, 90_000);

  it('says why its stats are n/a when the cluster has no metrics API', async () => {
    const inst = await berth.instances.create({ template: 'kcrash', name: 'kn', node: 'kube' });
    await untilRunning(berth, inst.id, 60_000);
    const reason = await until('stats n/a', async () => {
      await berth.sampler.sampleOnce();
      return berth.sampler.unavailable(inst.id);
    });
    expect(reason).toBe('this cluster does not serve metrics.k8s.io (metrics-server is not installed)');
    expect(berth.sampler.latest(inst.id)).toBeUndefined();
  }, 90_000);
});
