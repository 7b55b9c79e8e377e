import { InvalidInput } from '@berth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeBerth, kubeBerth, kubeUnavailable, untilRunning } from './kube-berth.js';

// Ports 31850–31899 (inside fake-kube's NodePort range) belong to this file: the fake cluster's
// --service-node-port-range is that block, and the node says so, so its NodePorts stay in it.
const NODE_PORTS = { from: 31850, to: 31899 };
const IMAGE = 'berth-test/node:20';
// A template written for a machine: its port range lies outside any cluster's NodePort range.
const SERVE = `name: kranged
source:
  kind: image
  image: ${IMAGE}
  command: ["node", "-e", "require('http').createServer((q, s) => s.end('hi from ' + process.env.BERTH_INSTANCE)).listen(8080)"]
ports:
  - { name: http, containerPort: 8080, preferred: 24000, range: [24000, 24099] }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
`;

const why = await kubeUnavailable([IMAGE]);

// Before the ledger knew a node's range, this instance leased 24000 and the cluster answered 422.
describe.skipIf(why)('a kubernetes node’s NodePort range is the law for its ports (fake-kube)', () => {
  let t: KubeBerth;
  let berth: KubeBerth['berth'];

  beforeAll(async () => {
    t = await kubeBerth(
      'kube-port-range',
      { 'kranged.yaml': SERVE },
      {
        fake: { nodePortRange: NODE_PORTS },
        node: { nodePortRange: `${NODE_PORTS.from}-${NODE_PORTS.to}` },
      },
    );
    berth = t.berth;
  }, 60_000);

  afterAll(() => t?.close(), 60_000);

  it('a template ranged 24000–24099 gets a NodePort inside the node’s range, and answers on it', async () => {
    const inst = await berth.instances.create({ template: 'kranged', name: 'kr', node: 'kube' });
    await untilRunning(berth, inst.id, 60_000);
    const port = berth.instances.ports(inst.id).http!;
    expect(port).toBeGreaterThanOrEqual(NODE_PORTS.from);
    expect(port).toBeLessThanOrEqual(NODE_PORTS.to);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hi from kr');
  });

  it('refuses at create a pinned port outside the node’s range, naming the port and both ranges', async () => {
    const err = await berth.instances
      .create({ template: 'kranged', name: 'kr-pinned', node: 'kube', ports: { http: 24010 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect((err as Error).message).toBe(
      "port 24010 ('http') is outside the ports kube can publish (31850–31899); the template's range is 24000–24099",
    );
    expect(berth.instances.list().map((i) => i.name)).toEqual(['kr']);
  });
});
