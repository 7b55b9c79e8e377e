// A real two-node swarm for the swarm runtime's tests (scripts/swarm.sh): the local engine as
// manager and a dockerd in a network namespace as worker. Each test file holds it while it runs;
// the last one to let go takes down what the script made (a swarm that was there before stays).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { connectDocker } from '../src/index.js';
import { BUSYBOX, localDocker, NODE, requireDocker } from './docker-fixture.js';

export const run = promisify(execFile);
export const swarmScript = fileURLToPath(new URL('../../../scripts/swarm.sh', import.meta.url));
const remoteDocker = fileURLToPath(new URL('../../../scripts/remote-docker.sh', import.meta.url));
export const WORKER_IP = '100.64.60.2';
export const MANAGER_IP = '100.64.60.1';
/** Keeps a test's services on the shared manager and worker (not on workers other tests join). */
export const SHARED = 'node.labels.berth-test-pool==shared';

export interface TestSwarm {
  manager: Dockerode;
  worker: Dockerode;
  release(): Promise<void>;
}

/**
 * Why the swarm tests cannot run here, or undefined. With BERTH_REQUIRE_DOCKER=1 a missing piece
 * throws: the tests fail, not skip.
 */
export async function swarmBlocker(): Promise<{ manager?: Dockerode; why?: string }> {
  const manager = await localDocker([BUSYBOX, NODE]);
  let why: string | undefined;
  if (!manager) why = 'no Docker engine with the test images';
  else if (process.getuid?.() !== 0) why = 'it needs root (a network namespace for the worker)';
  if (why && requireDocker) throw new Error(`BERTH_REQUIRE_DOCKER=1 but the swarm tests cannot run: ${why}`);
  if (why) console.warn(`Skipping the swarm tests: ${why}`);
  return why ? { why } : { manager: manager! };
}

/** Brings the swarm up (or joins the one there is) and holds it for this test process. */
export async function holdSwarm(manager: Dockerode): Promise<TestSwarm> {
  await run(swarmScript, ['hold', String(process.pid)], { timeout: 120_000 });
  const worker = connectDocker({ kind: 'tcp', host: WORKER_IP, port: 2375 });
  return {
    manager,
    worker,
    release: async () => {
      await run(swarmScript, ['release', String(process.pid)], { timeout: 120_000 });
    },
  };
}

/** Removes every service and secret of an owner, whatever state they are in. */
export async function removeOwnedServices(docker: Dockerode, owner: string): Promise<void> {
  const filters = { label: [`berth.owner=${owner}`] };
  const services = await docker.listServices({ filters });
  await Promise.allSettled(services.map((s) => docker.getService(s.ID as string).remove()));
  const secrets = (await docker.listSecrets({ filters })) as { ID: string }[];
  await Promise.allSettled(secrets.map((s) => docker.getSecret(s.ID).remove()));
}

/** Polls `read` until `ok` holds or the time is up; returns the last value read. */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

async function copyImage(from: Dockerode, to: Dockerode, image: string): Promise<void> {
  const progress = await to.loadImage(await from.getImage(image).get());
  await new Promise<void>((resolve, reject) =>
    to.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

/** Adds (`value`) or removes (`undefined`) a node label, retrying while another test updates the node. */
async function setNodeLabel(nodeId: string, key: string, value: string | undefined): Promise<void> {
  const args = value === undefined ? ['--label-rm', key] : ['--label-add', `${key}=${value}`];
  for (let attempt = 1; ; attempt++) {
    try {
      await run('docker', ['node', 'update', ...args, nodeId], { timeout: 30_000 });
      return;
    } catch (err) {
      if (attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A worker a test joins to the shared swarm to lose it: see joinOwnWorker. */
export interface OwnWorker {
  /** Its swarm node id. */
  nodeId: string;
  ip: string;
  /** Keeps a service on the manager and this worker only (no other test's node). */
  constraint: string;
  /** SIGKILLs its engine: the node is lost as when its machine dies. */
  kill(): void;
  /** Takes the worker down and out of the swarm, and the manager's label off. */
  remove(): Promise<void>;
}

/**
 * Starts a dockerd of the test's own in a network namespace (100.64.`n`.2, scripts/remote-docker.sh
 * name `name`), keeps its traffic on this machine, loads BUSYBOX into it and joins it to the swarm
 * as a worker. It and the manager get a label only this worker's test uses, so killing it disturbs
 * no other test of the shared swarm and no other test's service lands on it.
 */
export async function joinOwnWorker(manager: Dockerode, name: string, n: number): Promise<OwnWorker> {
  const ip = `100.64.${n}.2`;
  const label = `berth-test-own-${name}`;
  const managerId = ((await manager.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
  let nodeId = '';
  const remove = async () => {
    try {
      if (nodeId)
        await manager
          .getNode(nodeId)
          .remove({ force: true })
          .catch(() => undefined);
      await run(remoteDocker, ['down', name], { timeout: 120_000 });
    } finally {
      await setNodeLabel(managerId, label, undefined).catch(() => undefined);
    }
  };
  try {
    await run(remoteDocker, ['up', name, String(n)], { timeout: 60_000 });
    // Only the manager is reachable: image pulls fail at once instead of waiting for DNS.
    await run('ip', ['-n', `berth-${name}`, 'route', 'replace', `${MANAGER_IP}/32`, 'via', `100.64.${n}.1`]);
    await run('ip', ['-n', `berth-${name}`, 'route', 'replace', 'unreachable', 'default']);
    const worker = connectDocker({ kind: 'tcp', host: ip, port: 2375 });
    await copyImage(manager, worker, BUSYBOX);
    const { JoinTokens } = (await manager.swarmInspect()) as { JoinTokens: { Worker: string } };
    await worker.swarmJoin({
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: ip,
      RemoteAddrs: [`${MANAGER_IP}:2377`],
      JoinToken: JoinTokens.Worker,
    });
    nodeId = ((await worker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    // A node not yet ready gets no task: a service made now would put both replicas on the manager.
    const ready = await eventually(
      () =>
        manager
          .getNode(nodeId)
          .inspect()
          .catch(() => undefined) as Promise<{ Status?: { State?: string } }>,
      (node) => node?.Status?.State === 'ready',
      60_000,
    );
    if (ready?.Status?.State !== 'ready') throw new Error(`swarm worker ${name} did not become ready`);
    await setNodeLabel(nodeId, label, 'yes');
    await setNodeLabel(managerId, label, 'yes');
  } catch (err) {
    await remove().catch(() => undefined);
    throw err;
  }
  return {
    nodeId,
    ip,
    constraint: `node.labels.${label}==yes`,
    kill: () => process.kill(Number(readFileSync(`/run/brd-${name}.pid`, 'utf8').trim()), 'SIGKILL'),
    remove,
  };
}
