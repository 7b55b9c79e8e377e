import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@berth/core';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDocker, SwarmRuntime } from '../src/index.js';
import { BUSYBOX, baseSpec, imageSource } from './docker-fixture.js';
import {
  eventually,
  holdSwarm,
  MANAGER_IP,
  removeOwnedServices,
  run,
  swarmBlocker,
  type TestSwarm,
} from './swarm-fixture.js';

const remoteDocker = fileURLToPath(new URL('../../../scripts/remote-docker.sh', import.meta.url));
const { manager } = await swarmBlocker();
const owner = `swarm-loss-${process.pid}`;
// A worker of this test's own, so killing it disturbs no other test of the shared swarm.
const name = `sk${process.pid % 100000}`;
// 100.64.80–99: ranges no other test picks (see scripts/swarm.sh).
const n = 80 + (process.pid % 20);
const ip = `100.64.${n}.2`;

async function copyImage(from: Dockerode, to: Dockerode, image: string): Promise<void> {
  const progress = await to.loadImage(await from.getImage(image).get());
  await new Promise<void>((resolve, reject) =>
    to.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

/** Starts the worker's engine, keeps its traffic on this machine, joins it to the swarm; its node id. */
async function joinWorker(): Promise<string> {
  await run(remoteDocker, ['up', name, String(n)], { timeout: 60_000 });
  // Only the manager is reachable: image pulls fail at once instead of waiting for DNS.
  await run('ip', ['-n', `berth-${name}`, 'route', 'replace', `${MANAGER_IP}/32`, 'via', `100.64.${n}.1`]);
  await run('ip', ['-n', `berth-${name}`, 'route', 'replace', 'unreachable', 'default']);
  const worker = connectDocker({ kind: 'tcp', host: ip, port: 2375 });
  await copyImage(manager!, worker, BUSYBOX);
  const { JoinTokens } = (await manager!.swarmInspect()) as { JoinTokens: { Worker: string } };
  await worker.swarmJoin({
    ListenAddr: '0.0.0.0:2377',
    AdvertiseAddr: ip,
    RemoteAddrs: [`${MANAGER_IP}:2377`],
    JoinToken: JoinTokens.Worker,
  });
  return ((await worker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
}

describe.skipIf(!manager)('a swarm worker lost', () => {
  let swarm: TestSwarm;
  let lostNode = '';

  beforeAll(async () => {
    swarm = await holdSwarm(manager!);
    lostNode = await joinWorker();
  }, 180_000);

  afterAll(async () => {
    try {
      if (manager) await removeOwnedServices(manager, owner);
      if (lostNode)
        await manager
          ?.getNode(lostNode)
          .remove({ force: true })
          .catch(() => undefined);
      await run(remoteDocker, ['down', name], { timeout: 120_000 });
    } finally {
      await swarm?.release();
    }
  }, 240_000);

  it('shows the instance degraded (1/2) when the worker engine dies, then recovered on another node', async () => {
    const sharedWorker = ((await swarm.worker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    // The manager and this test's worker only: the replica on the worker has one place to go.
    const runtime = new SwarmRuntime({
      docker: manager!,
      node: 'swarm',
      log: silentLogger,
      constraints: [`node.id!=${sharedWorker}`],
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

    const pid = Number(readFileSync(`/run/brd-${name}.pid`, 'utf8').trim());
    process.kill(pid, 'SIGKILL');

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
