import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, NODE, requireDocker } from './fixtures/docker-engine.js';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 24800–24849 belong to this file.
const run = promisify(execFile);
const swarmScript = fileURLToPath(new URL('../scripts/swarm.sh', import.meta.url));
const MANAGER_IP = '100.64.60.1';
const WORKER_IP = '100.64.60.2';

const SERVE = `name: sweb
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sh", "-c", "mkdir -p /www && echo \\"hi from $BERTH_INSTANCE\\" > /www/index.html && exec httpd -f -p 80 -h /www"]
ports:
  - { name: http, containerPort: 80, preferred: 24800, range: [24800, 24849] }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
replicas: 2
`;

const local = await dockerForTests([BUSYBOX, NODE]);
const isRoot = process.getuid?.() === 0;
if (local && !isRoot) {
  if (requireDocker)
    throw new Error('BERTH_REQUIRE_DOCKER=1 but the swarm node test needs root (network namespaces)');
  console.warn('Skipping the swarm node test: it needs root for a network namespace');
}

describe.skipIf(!local || !isRoot)('a swarm node (the local engine as manager, a namespaced worker)', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let held = false;

  beforeAll(async () => {
    await run(swarmScript, ['hold', String(process.pid)], { timeout: 120_000 });
    held = true;
    env = await tempHome('swarm-node');
    await writeTemplate(env.templates, 'sweb.yaml', SERVE);
    berth = await openBerth(env.home, env.templates);
  }, 150_000);

  afterAll(async () => {
    try {
      if (berth) {
        for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => {});
        await berth.close();
      }
      await env?.cleanup();
    } finally {
      if (held) await run(swarmScript, ['release', String(process.pid)], { timeout: 120_000 });
    }
  }, 150_000);

  it('is added through its manager, and its test names the swarm', async () => {
    await berth.nodes.add({
      name: 'swarm-a',
      kind: 'swarm',
      config: {
        endpoint: 'unix:///var/run/docker.sock',
        constraints: ['node.labels.berth-test-pool==shared'],
      },
    });
    const result = await berth.nodes.test('swarm-a');
    expect(result).toMatchObject({
      ok: true,
      version: expect.stringMatching(/^Swarm \(\d+ nodes\) on Docker/),
    });
  });

  it('runs an instance as a service of 2 replicas, one per node, both answering; stop and start work', async () => {
    const inst = await berth.instances.create({ template: 'sweb', name: 'sw1', node: 'swarm-a' });
    await until(
      'sw1 running',
      () => {
        const i = berth.instances.get(inst.id);
        if (i.status === 'error') throw new Error(`sw1 failed: ${i.errorMessage}`);
        return i.status === 'running' || undefined;
      },
      90_000,
    );
    const port = berth.instances.ports(inst.id).http!;
    expect(port).toBeGreaterThanOrEqual(24800);
    for (const ip of [MANAGER_IP, WORKER_IP]) {
      expect(await (await fetch(`http://${ip}:${port}/`)).text()).toBe('hi from sw1\n');
    }
    const listed = await berth.runtimes.byKind('swarm-a', 'swarm').list(berth.owner);
    expect(listed.map((w) => [w.instanceName, w.replicas?.running])).toEqual([['sw1', 2]]);

    await berth.instances.stop(inst.id, { wait: true });
    expect(berth.instances.get(inst.id).status).toBe('stopped');
    await berth.instances.start(inst.id, { wait: true });
    expect(berth.instances.get(inst.id).status).toBe('running');
    expect(await (await fetch(`http://${WORKER_IP}:${port}/`)).text()).toBe('hi from sw1\n');
  }, 180_000);
});
