import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connectDocker } from '@berth/runtime-docker';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, requireDocker } from './fixtures/docker-engine.js';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 24400–24449 belong to this file (on this machine and on the namespace's engine).
const run = promisify(execFile);
const script = fileURLToPath(new URL('../scripts/remote-docker.sh', import.meta.url));
const nsName = `ot${process.pid % 100000}`;
// 100.64.20–39: this file's subnets (the table in scripts/remote-docker.sh).
const suffix = 20 + (process.pid % 20);
const nsIp = `100.64.${suffix}.2`;

/**
 * One command template: busybox's httpd on the port berth passes in $PORT, serving a page that
 * names the instance. On node local it is a process (the host's busybox); on a Docker node it runs
 * in the image it names — the only change is the node.
 */
const HELLO = `name: hello
source:
  kind: command
  command: sh
  args: ["-c", "mkdir -p /tmp/berth-hello-$BERTH_INSTANCE && echo \\"hello from $BERTH_INSTANCE\\" > /tmp/berth-hello-$BERTH_INSTANCE/index.html && exec busybox httpd -f -p $PORT -h /tmp/berth-hello-$BERTH_INSTANCE"]
  image: ${BUSYBOX}
ports:
  - { name: http, env: PORT, preferred: 24400, range: [24400, 24449] }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
`;

const local = await dockerForTests([BUSYBOX]);
const isRoot = process.getuid?.() === 0;
if (local && !isRoot) {
  if (requireDocker) throw new Error('BERTH_REQUIRE_DOCKER=1 but this test needs root (a network namespace)');
  console.warn('Skipping the one-template-any-node test: it needs root for a network namespace');
}

async function copyImage(from: Dockerode, to: Dockerode, image: string): Promise<void> {
  const progress = await to.loadImage(await from.getImage(image).get());
  await new Promise<void>((resolve, reject) =>
    to.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

describe.skipIf(!local || !isRoot)(
  'one command template, a process on local and a container on a Docker node',
  () => {
    let env: Awaited<ReturnType<typeof tempHome>>;
    let berth: Berth;

    beforeAll(async () => {
      const { stdout } = await run(script, ['up', nsName, String(suffix)]);
      expect(stdout.trim()).toBe(`tcp://${nsIp}:2375`);
      await copyImage(local!, connectDocker({ kind: 'tcp', host: nsIp, port: 2375 }), BUSYBOX);
      env = await tempHome('one-template');
      await writeTemplate(env.templates, 'hello.yaml', HELLO);
      berth = await openBerth(env.home, env.templates);
      await berth.nodes.add({ name: 'engine', config: { endpoint: `tcp://${nsIp}:2375` } });
    }, 120_000);

    afterAll(async () => {
      if (berth) {
        for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => {});
        await berth.close();
      }
      await run(script, ['down', nsName]).catch(() => {});
      await env?.cleanup();
    }, 60_000);

    it('answers on its port in both places; only --node differs', async () => {
      const here = await berth.instances.create({ template: 'hello', name: 'here' });
      const there = await berth.instances.create({ template: 'hello', name: 'there', node: 'engine' });
      for (const id of [here.id, there.id]) {
        await until(`${id} running`, () => berth.instances.get(id).status === 'running' || undefined, 60_000);
      }
      const herePort = berth.instances.ports(here.id).http!;
      const therePort = berth.instances.ports(there.id).http!;
      expect(await (await fetch(`http://127.0.0.1:${herePort}/`)).text()).toBe('hello from here\n');
      expect(await (await fetch(`http://${nsIp}:${therePort}/`)).text()).toBe('hello from there\n');

      // Here a process, there a container of the named image, published on the port berth passed in.
      const deps = await Promise.all([here, there].map((i) => berth.store.deployments.listByInstance(i.id)));
      expect(deps.map((d) => d.at(-1)?.runtime)).toEqual(['process', 'docker']);
      const docker = connectDocker({ kind: 'tcp', host: nsIp, port: 2375 });
      const [container] = await docker.listContainers({ filters: { label: ['berth.instance=there'] } });
      expect(container?.Image).toBe(BUSYBOX);
      expect(container?.Ports).toEqual(
        expect.arrayContaining([expect.objectContaining({ PrivatePort: therePort, PublicPort: therePort })]),
      );
    }, 120_000);
  },
);
