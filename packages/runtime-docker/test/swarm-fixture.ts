// A real two-node swarm for the swarm runtime's tests (scripts/swarm.sh): the local engine as
// manager and a dockerd in a network namespace as worker. Each test file holds it while it runs;
// the last one to let go takes down what the script made (a swarm that was there before stays).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { connectDocker } from '../src/index.js';
import { BUSYBOX, localDocker, NODE, requireDocker } from './docker-fixture.js';

export const run = promisify(execFile);
export const swarmScript = fileURLToPath(new URL('../../../scripts/swarm.sh', import.meta.url));
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
