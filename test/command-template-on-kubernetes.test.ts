import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeKube } from '@berth/fake-kube';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 30900–30949 (inside fake-kube's NodePort range) belong to this file.
const IMAGE = 'berth-test/busybox:latest';
/** The template of one-template-any-node.test.ts: a command, the image it runs in on a cluster. */
const HELLO = `name: hello
source:
  kind: command
  command: sh
  args: ["-c", "mkdir -p /tmp/www && echo \\"hello from $BERTH_INSTANCE\\" > /tmp/www/index.html && exec busybox httpd -f -p $PORT -h /tmp/www"]
  image: ${IMAGE}
ports:
  - { name: http, env: PORT, preferred: 30900, range: [30900, 30949] }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
`;

const why = await FakeKube.unavailable([IMAGE]);
if (why && process.env.BERTH_REQUIRE_DOCKER === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why}`);

describe.skipIf(why)('a command template on a kubernetes node (fake-kube)', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let kube: FakeKube;

  beforeAll(async () => {
    kube = await FakeKube.start({ backoffMs: 500 });
    env = await tempHome('kube-command');
    await writeFile(join(env.home, 'kubeconfig'), kube.kubeconfig());
    await writeTemplate(env.templates, 'hello.yaml', HELLO);
    berth = await openBerth(env.home, env.templates);
    await berth.nodes.add({
      name: 'kube',
      kind: 'kubernetes',
      config: { kubeconfig: join(env.home, 'kubeconfig') },
    });
  }, 60_000);

  afterAll(async () => {
    for (const i of berth?.instances.list() ?? []) await berth.instances.remove(i.id).catch(() => {});
    await berth?.close();
    await kube?.close();
    await env?.cleanup();
  }, 60_000);

  it('runs as a pod of the named image, its port the NodePort and the container port', async () => {
    const inst = await berth.instances.create({ template: 'hello', name: 'kh', node: 'kube' });
    await until(
      'kh running',
      () => {
        const i = berth.instances.get(inst.id);
        if (i.status === 'error') throw new Error(`kh failed: ${i.errorMessage}`);
        return i.status === 'running' || undefined;
      },
      90_000,
    );
    const port = berth.instances.ports(inst.id).http!;
    expect(port).toBe(30900);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from kh\n');
  }, 120_000);
});
