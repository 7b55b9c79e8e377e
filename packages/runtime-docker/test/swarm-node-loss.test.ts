import { silentLogger } from '@berth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwarmRuntime } from '../src/index.js';
import { BUSYBOX, baseSpec, imageSource } from './docker-fixture.js';
import {
  eventually,
  holdSwarm,
  joinOwnWorker,
  type OwnWorker,
  removeOwnedServices,
  swarmBlocker,
  type TestSwarm,
} from './swarm-fixture.js';

const { manager } = await swarmBlocker();
const owner = `swarm-loss-${process.pid}`;
// A worker of this test's own, so killing it disturbs no other test of the shared swarm.
const name = `sk${process.pid % 100000}`;
// 100.64.80–99: ranges no other test picks (see scripts/swarm.sh).
const n = 80 + (process.pid % 20);

describe.skipIf(!manager)('a swarm worker lost', () => {
  let swarm: TestSwarm;
  let worker: OwnWorker | undefined;
  let lostNode = '';

  beforeAll(async () => {
    swarm = await holdSwarm(manager!);
    worker = await joinOwnWorker(manager!, name, n);
    lostNode = worker.nodeId;
  }, 180_000);

  afterAll(async () => {
    try {
      if (manager) await removeOwnedServices(manager, owner);
      await worker?.remove();
    } finally {
      await swarm?.release();
    }
  }, 240_000);

  it('shows the instance degraded (1/2) when the worker engine dies, then recovered on another node', async () => {
    // The manager and this test's worker only: the replica on the worker has one place to go.
    const runtime = new SwarmRuntime({
      docker: manager!,
      node: 'swarm',
      log: silentLogger,
      constraints: [worker!.constraint],
    });
    const spec = baseSpec({
      instanceId: `${owner}-1`,
      instanceName: `swl-${process.pid}`,
      owner,
      node: 'swarm',
      source: imageSource(BUSYBOX, { command: ['sleep', '3600'] }),
      replicas: 2,
      stopTimeoutMs: 1_000,
      // Swarm waits this long before it replaces a task: the degraded state lasts long enough to see.
      restart: {
        policy: 'always',
        maxRetries: 5,
        backoffSeconds: 4,
        maxBackoffSeconds: 60,
        resetAfterSeconds: 60,
        onUnhealthy: true,
      },
    });
    const w = await runtime.deploy(spec);
    expect(w.replicas).toMatchObject({ desired: 2, running: 2 });
    const onLost = (node: string | null) => node?.endsWith(lostNode.slice(0, 12)) ?? false;
    expect(w.replicas!.items.filter((r) => onLost(r.node))).toHaveLength(1);

    worker!.kill();

    const saysLost = (m: string | null) => m?.includes(`${lostNode.slice(0, 12)} is down`) ?? false;
    const degraded = await eventually(
      () => runtime.inspect(w.handle),
      (o) => o?.replicas?.running === 1 && o.replicas.items.some((r) => saysLost(r.message)),
      60_000,
    );
    expect(degraded).toMatchObject({ running: true, replicas: { desired: 2, running: 1 } });
    expect(degraded!.replicas!.items.filter((r) => saysLost(r.message))).toHaveLength(1);

    const recovered = await eventually(
      () => runtime.inspect(w.handle),
      (o) => o?.replicas?.running === 2,
      60_000,
    );
    expect(recovered?.replicas).toMatchObject({ desired: 2, running: 2 });
    expect(recovered!.replicas!.items.some((r) => onLost(r.node))).toBe(false);
  }, 180_000);
});
