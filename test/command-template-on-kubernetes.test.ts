import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeBerth, kubeBerth, kubeUnavailable, untilRunning } from './kube-berth.js';

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

const why = await kubeUnavailable([IMAGE]);

describe.skipIf(why)('a command template on a kubernetes node (fake-kube)', () => {
  let t: KubeBerth;
  let berth: KubeBerth['berth'];

  beforeAll(async () => {
    t = await kubeBerth('kube-command', { 'hello.yaml': HELLO }, { node: {} });
    berth = t.berth;
  }, 60_000);

  afterAll(() => t?.close(), 60_000);

  it('runs as a pod of the named image, its port the NodePort and the container port', async () => {
    const inst = await berth.instances.create({ template: 'hello', name: 'kh', node: 'kube' });
    await untilRunning(berth, inst.id, 90_000);
    const port = berth.instances.ports(inst.id).http!;
    expect(port).toBe(30900);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from kh\n');
  }, 120_000);
});
