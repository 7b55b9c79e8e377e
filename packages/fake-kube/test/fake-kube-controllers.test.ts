import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKube } from '../src/index.js';

// The controllers and the kubelet: pods run as containers of the local Docker engine.
const IMAGE = 'berth-test/node:20';
const why = await FakeKube.unavailable([IMAGE]);
if (why && process.env.BERTH_REQUIRE_DOCKER === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why}`);

// biome-ignore lint/suspicious/noExplicitAny: the tests read the API's JSON answers loosely, by path.
type Loose = any;
let kube: FakeKube;
const call = async (
  method: string,
  path: string,
  body?: unknown,
  type = 'application/json',
): Promise<Loose> => {
  const res = await fetch(`${kube.serverUrl}${path}`, {
    method,
    headers: { 'content-type': type },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return res.json();
};
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const PODS = '/api/v1/namespaces/default/pods';

function deployment(name: string, replicas: number, container: Record<string, unknown>) {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          // node at PID 1 ignores TERM: a short grace keeps scale-downs quick.
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'main', image: IMAGE, ...container }],
        },
      },
    },
  };
}

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

describe.skipIf(why)('fake-kube controllers and kubelet', () => {
  beforeAll(async () => {
    kube = await FakeKube.start({ backoffMs: 500 });
  });
  afterAll(async () => {
    await kube?.close();
  });

  it('turns a Deployment of 3 into 3 Ready pods <name>-<hash>-<random>, with status, conditions and events; scaling to 0 removes them', async () => {
    const server = "require('http').createServer((q, s) => s.end('ok')).listen(8080)";
    await call(
      'POST',
      DEPLOYMENTS,
      deployment('three', 3, {
        command: ['node', '-e', server],
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
      }),
    );
    const d = await until(
      '3 ready',
      () => call('GET', `${DEPLOYMENTS}/three`),
      (d) => d.status?.readyReplicas === 3,
    );
    expect(d.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    expect(d.status.conditions.map((c: Loose) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    const pods = (await call('GET', `${PODS}?labelSelector=app%3Dthree`)).items;
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^three-[0-9a-f]{10}-[a-z0-9]{5}$/);
      expect(p.status.phase).toBe('Running');
      expect(p.status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(p.spec.nodeName).toBe(kube.nodeName);
    }
    const reasons = (await call('GET', '/api/v1/namespaces/default/events')).items.map(
      (e: Loose) => e.reason,
    );
    expect(reasons).toEqual(expect.arrayContaining(['ScalingReplicaSet', 'Scheduled', 'Created', 'Started']));
    await call('PATCH', `${DEPLOYMENTS}/three`, { spec: { replicas: 0 } }, 'application/merge-patch+json');
    await until(
      'no pods',
      () => call('GET', `${PODS}?labelSelector=app%3Dthree`),
      (l) => l.items.length === 0,
    );
    await call('DELETE', `${DEPLOYMENTS}/three`);
  });

  it('a container that exits is restarted and shows CrashLoopBackOff with its last exit code', async () => {
    await call('POST', DEPLOYMENTS, deployment('crash', 1, { command: ['node', '-e', 'process.exit(7)'] }));
    const pod = await until(
      'CrashLoopBackOff',
      async () => (await call('GET', `${PODS}?labelSelector=app%3Dcrash`)).items[0],
      (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    const c = pod.status.containerStatuses[0];
    expect(c.lastState.terminated).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(c.ready).toBe(false);
    await call('DELETE', `${DEPLOYMENTS}/crash`);
  });

  it('an image the engine does not have is ImagePullBackOff, and its logs say the container is waiting', async () => {
    await call('POST', DEPLOYMENTS, deployment('nopull', 1, { image: 'berth-test/not-there:1' }));
    const pod = await until(
      'ImagePullBackOff',
      async () => (await call('GET', `${PODS}?labelSelector=app%3Dnopull`)).items[0],
      (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    const log = await fetch(`${kube.serverUrl}${PODS}/${pod.metadata.name}/log`);
    expect(log.status).toBe(400);
    expect(((await log.json()) as Loose).message).toMatch(/is waiting to start/);
    await call('DELETE', `${DEPLOYMENTS}/nopull`);
  });

  it('serves pods/log per stream with tailLines and timestamps', async () => {
    const say =
      "console.log('out 1'); console.error('err 1'); console.log('out 2'); setInterval(() => {}, 1000)";
    await call('POST', DEPLOYMENTS, deployment('talk', 1, { command: ['node', '-e', say] }));
    const pod = await until(
      'running',
      async () => (await call('GET', `${PODS}?labelSelector=app%3Dtalk`)).items[0],
      (p) => p?.status?.phase === 'Running',
    );
    const log = (q: string) =>
      fetch(`${kube.serverUrl}${PODS}/${pod.metadata.name}/log?${q}`).then((r) => r.text());
    await until(
      'three lines',
      () => log(''),
      (t) => t.split('\n').filter(Boolean).length === 3,
    );
    expect(await log('stream=Stdout')).toBe('out 1\nout 2\n');
    expect(await log('stream=Stderr')).toBe('err 1\n');
    // Across streams the order is the engine's (two pipes), so tails are checked within one stream.
    expect(await log('stream=Stdout&tailLines=1')).toBe('out 2\n');
    expect(await log('stream=Stdout&timestamps=true&tailLines=1')).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z out 2\n$/,
    );
    await call('DELETE', `${DEPLOYMENTS}/talk`);
  });
});
