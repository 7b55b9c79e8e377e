import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, NODE, requireDocker } from './fixtures/docker-engine.js';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 24550–24599 belong to this file.
const run = promisify(execFile);
const swarmScript = fileURLToPath(new URL('../scripts/swarm.sh', import.meta.url));
const MANAGER_IP = '100.64.60.1';
const WORKER_IP = '100.64.60.2';

/** The template of one-template-any-node.test.ts, with 2 replicas: a command and the image it runs in. */
const HELLO = `name: hello
source:
  kind: command
  command: sh
  args: ["-c", "mkdir -p /tmp/www && echo \\"hello from $BERTH_INSTANCE\\" > /tmp/www/index.html && exec busybox httpd -f -p $PORT -h /tmp/www"]
  image: ${BUSYBOX}
ports:
  - { name: http, env: PORT, preferred: 24550, range: [24550, 24599] }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
replicas: 2
`;

const local = await dockerForTests([BUSYBOX, NODE]);
const isRoot = process.getuid?.() === 0;
if (local && !isRoot) {
  if (requireDocker)
    throw new Error('BERTH_REQUIRE_DOCKER=1 but the swarm test needs root (network namespaces)');
  console.warn('Skipping the command-template swarm test: it needs root for a network namespace');
}

describe.skipIf(!local || !isRoot)('a command template on a swarm node', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let held = false;

  beforeAll(async () => {
    await run(swarmScript, ['hold', String(process.pid)], { timeout: 120_000 });
    held = true;
    env = await tempHome('swarm-command');
    await writeTemplate(env.templates, 'hello.yaml', HELLO);
    berth = await openBerth(env.home, env.templates);
    await berth.nodes.add({
      name: 'swarm-c',
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
      await env?.cleanup();
    } finally {
      if (held) await run(swarmScript, ['release', String(process.pid)], { timeout: 120_000 });
    }
  }, 150_000);

  it('runs as a service of the named image, one task per node, each answering on the port berth passed in', async () => {
    const inst = await berth.instances.create({ template: 'hello', name: 'sh1', node: 'swarm-c' });
    await until(
      'sh1 running',
      () => {
        const i = berth.instances.get(inst.id);
        if (i.status === 'error') throw new Error(`sh1 failed: ${i.errorMessage}`);
        return i.status === 'running' || undefined;
      },
      90_000,
    );
    const port = berth.instances.ports(inst.id).http!;
    for (const ip of [MANAGER_IP, WORKER_IP]) {
      expect(await (await fetch(`http://${ip}:${port}/`)).text()).toBe('hello from sh1\n');
    }
  }, 180_000);
});
