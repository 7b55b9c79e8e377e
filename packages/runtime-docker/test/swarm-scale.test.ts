// Scaling a running Swarm service in place on the real two-node swarm: the replicas that run keep
// answering while the count changes (a stop-then-deploy would drop it to 0 first).
import { type DeploySpec, silentLogger } from '@berth/core';
import { freePortInRange } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwarmRuntime } from '../src/index.js';
import { BUSYBOX, baseSpec, imageSource } from './docker-fixture.js';
import {
  holdSwarm,
  MANAGER_IP,
  removeOwnedServices,
  SHARED,
  swarmBlocker,
  type TestSwarm,
  WORKER_IP,
} from './swarm-fixture.js';

// Ports 24850–24859 belong to this file (test/port-blocks.ts).
const { manager } = await swarmBlocker();
const owner = `swarm-scale-${process.pid}`;

function web(port: number): DeploySpec {
  return baseSpec({
    instanceId: `${owner}-web`,
    instanceName: `sws-${process.pid}`,
    owner,
    node: 'swarm',
    source: imageSource(BUSYBOX, {
      command: [
        'sh',
        '-c',
        'mkdir -p /www && echo "$(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www',
      ],
    }),
    ports: [{ name: 'http', hostPort: port, containerPort: 80, protocol: 'tcp' }],
    readiness: { kind: 'http', port, path: '/' },
    stopTimeoutMs: 2_000,
    readinessTimeoutMs: 60_000,
    replicas: 2,
  });
}

/** Whether any replica answers on either node's address. */
async function anyAnswers(port: number): Promise<boolean> {
  const one = async (ip: string) => {
    const res = await fetch(`http://${ip}:${port}/`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) throw new Error(String(res.status));
    return true;
  };
  return Promise.any([MANAGER_IP, WORKER_IP].map(one)).catch(() => false);
}

/** Runs `look` over and over until stopped; the values it saw. */
function keepLooking<T>(look: () => Promise<T>) {
  const seen: T[] = [];
  let go = true;
  const loop = (async () => {
    while (go) {
      seen.push(await look());
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    seen,
    stop: async () => {
      go = false;
      await loop;
      return seen;
    },
  };
}

describe.skipIf(!manager)('swarm runtime: scale in place on a real two-node swarm', () => {
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

  it('scales 2 → 1 → 2 with a client answered throughout and never 0 replicas running', async () => {
    const port = await freePortInRange(24850, 24859);
    const spec = web(port);
    const first = await runtime.deploy(spec);
    expect(first.replicas).toMatchObject({ desired: 2, running: 2 });
    const before = await manager!.getService(first.handle.id).inspect();

    const client = keepLooking(() => anyAnswers(port));
    const running = keepLooking(async () => (await runtime.inspect(first.handle))?.replicas?.running ?? 0);
    const one = await runtime.scale(first.handle, spec, 1);
    expect(one.replicas).toMatchObject({ desired: 1, running: 1 });
    const two = await runtime.scale(first.handle, spec, 2);
    const answers = await client.stop();
    const counts = await running.stop();

    expect(two.handle.id).toBe(first.handle.id);
    expect(two.replicas).toMatchObject({ desired: 2, running: 2 });
    expect(new Set(two.replicas!.items.map((r) => r.node)).size).toBe(2);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => !a)).toEqual([]);
    expect(counts.length).toBeGreaterThan(0);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    // The task template is the one the deploy made (no forced update: no task was replaced for it).
    const after = await manager!.getService(first.handle.id).inspect();
    expect(after.Spec.TaskTemplate.ForceUpdate).toBe(before.Spec.TaskTemplate.ForceUpdate);
    expect(after.Spec.Mode.Replicated.Replicas).toBe(2);
  }, 180_000);
});
