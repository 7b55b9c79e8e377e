import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Berth } from '@berth/server';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, requireDocker } from './fixtures/docker-engine.js';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

/**
 * Issue 13 §3: a Swarm instance's data directory is a named volume per instance. `rm` removes it
 * as it removes a local instance's data directory — on the engines berth reaches (here the
 * manager's); a worker berth does not reach keeps its copy — and `rm --keep-data` leaves it.
 * And the logs of its 2 replicas, followed, say which replica (task slot) wrote each line; its
 * stats read the manager's replica and say the worker's is n/a, and why.
 * Publishes no port.
 */
const run = promisify(execFile);
const swarmScript = fileURLToPath(new URL('../scripts/swarm.sh', import.meta.url));
const WORKER_SOCK = '/run/brd-swarmw.sock';

const DATA = `name: sdata
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sh", "-c", "echo kept > /data/v && echo hello from $(hostname) && exec sleep 3600"]
  volumes: [{ target: /data }]
stopTimeoutSeconds: 1
replicas: 2
`;

const local = await dockerForTests([BUSYBOX]);
const isRoot = process.getuid?.() === 0;
if (local && !isRoot) {
  if (requireDocker)
    throw new Error('BERTH_REQUIRE_DOCKER=1 but the swarm test needs root (network namespaces)');
  console.warn('Skipping the swarm data volume test: it needs root for a network namespace');
}

describe.skipIf(!local || !isRoot)('a swarm instance’s data volume on rm (real swarm)', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let held = false;
  const worker = new Dockerode({ socketPath: WORKER_SOCK });
  const has = async (engine: Dockerode, name: string) =>
    (await engine.listVolumes({ filters: { name: [name] } })).Volumes?.some((v) => v.Name === name) ?? false;
  /** The swarm nodes (manager/worker) running the instance's tasks. */
  const taskNodes = async (name: string) => {
    const self = (await local!.info()).Swarm.NodeID as string;
    const tasks = await local!.listTasks({
      filters: { service: [`berth-${name}`], 'desired-state': ['running'] },
    });
    return new Set(tasks.map((t) => (t.NodeID === self ? 'manager' : 'worker')));
  };
  const runningInstance = async (name: string) => {
    await berth.instances.create({ template: 'sdata', name, node: 'swarm-d' });
    await until(
      `${name} running 2/2`,
      () => {
        const i = berth.instances.get(name);
        if (i.status === 'error') throw new Error(`${name} failed: ${i.errorMessage}`);
        return (i.status === 'running' && i.observedReplicas?.running === 2) || undefined;
      },
      90_000,
    );
  };

  beforeAll(async () => {
    await run(swarmScript, ['hold', String(process.pid)], { timeout: 120_000 });
    held = true;
    env = await tempHome('swarm-data');
    await writeTemplate(env.templates, 'sdata.yaml', DATA);
    berth = await openBerth(env.home, env.templates);
    await berth.nodes.add({
      name: 'swarm-d',
      kind: 'swarm',
      config: {
        endpoint: 'unix:///var/run/docker.sock',
        constraints: ['node.labels.berth-test-pool==shared'],
      },
    });
  }, 150_000);

  afterAll(async () => {
    try {
      if (berth) {
        for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => {});
        await berth.close();
      }
      for (const engine of [local!, worker])
        for (const name of ['berth-sd1-data', 'berth-sd2-data', 'berth-sd3-data'])
          await engine
            .getVolume(name)
            .remove()
            .catch(() => {});
      await env?.cleanup();
    } finally {
      if (held) await run(swarmScript, ['release', String(process.pid)], { timeout: 120_000 });
    }
  }, 150_000);

  it('rm removes the data volume on the manager, as a local data directory goes; the worker keeps its copy', async () => {
    await runningInstance('sd1');
    expect(await taskNodes('sd1')).toEqual(new Set(['manager', 'worker']));
    expect(await has(local!, 'berth-sd1-data')).toBe(true);
    expect(await has(worker, 'berth-sd1-data')).toBe(true);

    await berth.instances.remove('sd1');
    expect(await has(local!, 'berth-sd1-data')).toBe(false);
    // berth reaches the manager's engine only: the worker's copy stays (the README says so).
    expect(await has(worker, 'berth-sd1-data')).toBe(true);
  }, 180_000);

  it('following the logs of 2 replicas, each line names its replica (the task slot), as the tail does', async () => {
    await runningInstance('sd3');
    const runtime = berth.runtimes.byKind('swarm-d', 'swarm');
    const [w] = (await runtime.list(berth.owner)).filter((x) => x.instanceName === 'sd3');
    const ac = new AbortController();
    const seen = new Map<string, string>();
    for await (const l of runtime.logs(w!.handle, { follow: true, tail: 5, signal: ac.signal })) {
      if (l.line.startsWith('hello from ')) seen.set(l.replica ?? '?', l.line);
      if (seen.size === 2) ac.abort();
    }
    expect([...seen.keys()].sort()).toEqual(['1', '2']);
    const tail = new Set<string | undefined>();
    for await (const l of runtime.logs(w!.handle, { tail: 10 })) {
      expect(l.line).toMatch(/^hello from /); // the engine's attributes are not part of the text
      tail.add(l.replica);
    }
    expect(tail).toEqual(new Set(['1', '2']));
  }, 180_000);

  it('stats: the replica on the worker berth does not reach is n/a, naming the node and why, and the sum says it is partial', async () => {
    const runtime = berth.runtimes.byKind('swarm-d', 'swarm');
    const [w] = (await runtime.list(berth.owner)).filter((x) => x.instanceName === 'sd3');
    const s = (await runtime.stats([w!.handle])).get(w!.handle.id);
    const replicas = s?.replicas ?? [];
    expect(replicas.map((r) => r.replica).sort()).toEqual(['1', '2']);
    const read = replicas.filter((r) => r.reason === null);
    const na = replicas.filter((r) => r.reason !== null);
    expect(read).toHaveLength(1);
    expect(read[0]!.memoryBytes).toBeGreaterThan(0);
    expect(na).toHaveLength(1);
    expect(na[0]).toMatchObject({ cpuPercent: null, memoryBytes: null });
    expect(na[0]!.node).not.toBe(read[0]!.node);
    expect(na[0]!.reason).toBe(
      `berth does not reach the engine of node ${na[0]!.node} (it reads the manager's and those the node names)`,
    );

    const inst = berth.instances.get('sd3');
    // A pass of the sampler's own may be running (sampleOnce then returns at once): wait for one with sd3.
    await until(
      'a sample of sd3',
      async () => {
        await berth.sampler.sampleOnce();
        return berth.sampler.availability(inst.id).replicas !== null || undefined;
      },
      20_000,
    );
    expect(berth.sampler.availability(inst.id)).toMatchObject({
      available: true,
      partial: true,
      reason: `the sum of 1 of 2 replicas; n/a: replica ${na[0]!.replica} on ${na[0]!.node}: ${na[0]!.reason}`,
    });
    expect(berth.sampler.latest(inst.id)?.memoryBytes).toBeGreaterThan(0);
    await berth.instances.remove('sd3');
  }, 60_000);

  it('rm --keep-data leaves the data volume where it is', async () => {
    await runningInstance('sd2');
    expect(await has(local!, 'berth-sd2-data')).toBe(true);
    await berth.instances.remove('sd2', { keepData: true });
    expect(await has(local!, 'berth-sd2-data')).toBe(true);
  }, 180_000);
});
