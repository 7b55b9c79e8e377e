import { type DeploySpec, NotAllowed, silentLogger } from '@berth/core';
import { freePortInRange } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwarmPortSource, SwarmRuntime, testSwarm } from '../src/index.js';
import { BUSYBOX, baseSpec, imageSource } from './docker-fixture.js';
import {
  eventually,
  holdSwarm,
  MANAGER_IP,
  removeOwnedServices,
  SHARED,
  swarmBlocker,
  type TestSwarm,
  WORKER_IP,
} from './swarm-fixture.js';

const { manager } = await swarmBlocker();
const owner = `swarm-cluster-${process.pid}`;

/** busybox httpd answering `<hostname> <MESSAGE>` on container port 80. */
function web(name: string, over: Partial<DeploySpec> = {}): DeploySpec {
  return baseSpec({
    instanceId: `${owner}-${name}`,
    instanceName: `swc-${name}-${process.pid}`,
    owner,
    node: 'swarm',
    source: imageSource(BUSYBOX, {
      command: [
        'sh',
        '-c',
        'mkdir -p /www && echo "$(hostname) $MESSAGE" > /www/index.html && exec httpd -f -p 80 -h /www',
      ],
    }),
    env: { MESSAGE: 'hello' },
    stopTimeoutMs: 2_000,
    readinessTimeoutMs: 30_000,
    ...over,
  });
}

async function body(url: string): Promise<string> {
  return (await (await fetch(url)).text()).trim();
}

describe.skipIf(!manager)('swarm runtime on a real two-node swarm', () => {
  let swarm: TestSwarm;
  let runtime: SwarmRuntime;

  beforeAll(async () => {
    swarm = await holdSwarm(manager!);
    runtime = new SwarmRuntime({ docker: manager!, node: 'swarm', log: silentLogger, constraints: [SHARED] });
  }, 120_000);

  afterAll(async () => {
    if (manager) await removeOwnedServices(manager, owner);
    await swarm?.release();
  }, 120_000);

  it('runs replicas 2 one per node, each answering on its own node, and the port is taken cluster-wide', async () => {
    const port = await freePortInRange(29750, 29799);
    const spec = web('two', {
      replicas: 2,
      ports: [{ name: 'http', hostPort: port, containerPort: 80, protocol: 'tcp' }],
      readiness: { kind: 'http', port, path: '/' },
    });
    const w = await runtime.deploy(spec);
    expect(w.replicas).toMatchObject({ desired: 2, running: 2 });
    expect(new Set(w.replicas!.items.map((r) => r.node)).size).toBe(2);
    // Each task publishes the port in host mode on its own node: each replica says so.
    const own = [{ hostPort: port, containerPort: 80, protocol: 'tcp' }];
    expect(w.replicas!.items.map((r) => r.ports)).toEqual([own, own]);
    const answers = await Promise.all([MANAGER_IP, WORKER_IP].map((ip) => body(`http://${ip}:${port}/`)));
    expect(answers.every((a) => a.endsWith(' hello'))).toBe(true);
    // Two different containers answered: one per node.
    expect(new Set(answers).size).toBe(2);

    const taken = await new SwarmPortSource(manager!, 'swarm', silentLogger).taken('swarm');
    expect(taken).toContainEqual(
      expect.objectContaining({ port, protocol: 'tcp', kind: 'service', instanceId: spec.instanceId }),
    );
    expect(await new SwarmPortSource(manager!, 'swarm', silentLogger).taken('local')).toEqual([]);
  });

  it('scales 1 → 3 by deploying the same instance again: the same service, updated in place', async () => {
    const spec = web('scale');
    const one = await runtime.deploy(spec);
    expect(one.replicas).toMatchObject({ desired: 1, running: 1 });
    const three = await runtime.deploy({ ...spec, replicas: 3 });
    expect(three.handle.id).toBe(one.handle.id);
    expect(three.replicas).toMatchObject({ desired: 3, running: 3 });
    expect(three.replicas!.items.every((r) => r.state === 'running')).toBe(true);
  });

  it('passes a secret config value as a Docker secret, never in the service spec, and removes it with the service', async () => {
    const port = await freePortInRange(29800, 29849);
    const token = `tok-${process.pid}-${Date.now()}`;
    const spec = web('secret', {
      env: { MESSAGE: token },
      secretEnv: ['MESSAGE'],
      ports: [{ name: 'http', hostPort: port, containerPort: 80, protocol: 'tcp' }],
      readiness: { kind: 'http', port, path: '/' },
    });
    const w = await runtime.deploy(spec);
    const addr = w.replicas!.items[0]!.node;
    expect(addr).not.toBeNull();
    const answered = await Promise.any(
      [MANAGER_IP, WORKER_IP].map((ip) =>
        body(`http://${ip}:${port}/`).then((b) => (b ? b : Promise.reject())),
      ),
    );
    expect(answered.endsWith(` ${token}`)).toBe(true);

    const service = await manager!.getService(w.handle.id).inspect();
    expect(JSON.stringify(service.Spec)).not.toContain(token);
    const secrets = (await manager!.listSecrets({
      filters: { label: [`berth.instance-id=${spec.instanceId}`] },
    })) as { ID: string; Spec: { Labels: Record<string, string> } }[];
    expect(secrets.map((s) => s.Spec.Labels['berth.secret-env'])).toEqual(['MESSAGE']);
    expect(
      service.Spec.TaskTemplate.ContainerSpec.Secrets.map((s: { SecretID: string }) => s.SecretID),
    ).toEqual(secrets.map((s) => s.ID));

    await runtime.remove(w.handle);
    expect(
      await manager!.listSecrets({ filters: { label: [`berth.instance-id=${spec.instanceId}`] } }),
    ).toEqual([]);
  });

  it('a berth that restarted adopts its services by labels, and removes only its own', async () => {
    const spec = web('adopt');
    const w = await runtime.deploy(spec);
    const foreign = await manager!.createService({
      Name: `not-berth-${process.pid}`,
      Labels: { 'berth.owner': owner },
      TaskTemplate: {
        ContainerSpec: { Image: BUSYBOX, Args: ['sleep', '600'] },
        Placement: { Constraints: [SHARED] },
      },
      Mode: { Replicated: { Replicas: 0 } },
    });

    const again = new SwarmRuntime({ docker: manager!, node: 'swarm', log: silentLogger });
    const found = await again.list(owner);
    const mine = found.find((x) => x.instanceId === spec.instanceId);
    expect(mine).toMatchObject({ running: true, owner, instanceName: spec.instanceName, handle: w.handle });
    expect(found.some((x) => x.handle.id === foreign.id)).toBe(false);
    expect(await again.list(`${owner}-other`)).toEqual([]);

    const handle = { runtime: 'swarm', id: foreign.id, meta: {} };
    await expect(again.remove(handle)).rejects.toBeInstanceOf(NotAllowed);
    expect((await manager!.getService(foreign.id).inspect()).ID).toBe(foreign.id);
    await again.remove(mine!.handle);
    expect(await again.inspect(mine!.handle)).toBeUndefined();
    await manager!.getService(foreign.id).remove();
  });

  it('reports a replica the engine rejects with the engine reason', async () => {
    const spec = web('rejected', {
      source: imageSource('berth-test/no-such-image:1'),
      readinessTimeoutMs: 20_000,
    });
    const err = await runtime.deploy(spec).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/rejected|failed/);
    expect(err?.message).toMatch(/no-such-image|No such image|pull/i);
    expect(
      await runtime.list(owner).then((ws) => ws.filter((x) => x.instanceId === spec.instanceId)),
    ).toEqual([]);
  });

  it('testSwarm names the swarm through a manager and refuses a worker', async () => {
    // Engine calls on a loaded machine take seconds: the timeouts bound a hang, they time nothing.
    const ok = await testSwarm(manager!, 15_000);
    expect(ok).toMatchObject({
      ok: true,
      version: expect.stringMatching(/^Swarm \(\d+ nodes?\) on Docker \d+/),
    });
    const worker = await testSwarm(swarm.worker, 15_000);
    expect(worker).toMatchObject({ ok: false, reason: 'not-manager' });
    const w = await eventually(
      () => manager!.listNodes(),
      (n) => n.length >= 2,
      30_000,
    );
    expect(w.length).toBeGreaterThanOrEqual(2);
  });
});
