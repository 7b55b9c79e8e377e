import { silentLogger } from '@berth/core';
import { freePortInRange, runtimeContract } from '@berth/testkit';
import { afterAll, describe, it } from 'vitest';
import { SwarmRuntime } from '../src/index.js';
import { baseSpec, imageSource, NODE } from './docker-fixture.js';
import { holdSwarm, removeOwnedServices, swarmBlocker, type TestSwarm } from './swarm-fixture.js';

/** Answers 200 on PORT, says hello/warn at start, echoes ?say=… on stdout; IGNORE_TERM ignores SIGTERM. */
const server = `
const name = process.env.NAME;
if (process.env.IGNORE_TERM) process.on('SIGTERM', () => {});
console.log('hello ' + name);
console.error('warn ' + name);
require('http').createServer((req, res) => {
  const say = new URL(req.url, 'http://x').searchParams.get('say');
  if (say !== null) console.log(say);
  res.end('ok');
}).listen(Number(process.env.PORT));
`;

const { manager } = await swarmBlocker();
const owner = `contract-swarm-${process.pid}`;
let swarm: TestSwarm | undefined;

if (!manager) {
  describe('runtime contract: swarm', () => {
    // Only off CI: .ci/run sets BERTH_REQUIRE_DOCKER=1 (swarmBlocker throws instead) and fails on any skip.
    it.skip('needs a Docker engine, root and scripts/test-images.sh', () => {});
  });
} else {
  afterAll(async () => {
    await swarm?.release();
  }, 120_000);

  runtimeContract('swarm', async () => {
    swarm = await holdSwarm(manager);
    // The suite reaches workloads at 127.0.0.1: its services run on the manager, this machine.
    const runtime = new SwarmRuntime({
      docker: manager,
      node: 'swarm',
      log: silentLogger,
      constraints: ['node.role==manager'],
    });
    const specFor = (
      o: { instanceId: string; name: string; port: number },
      env: Record<string, string> = {},
    ) =>
      baseSpec({
        instanceId: o.instanceId,
        instanceName: `sw${o.name}`,
        owner,
        node: 'swarm',
        source: imageSource(NODE, { command: ['node', '-e', server] }),
        env: { NAME: o.name, PORT: '8080', ...env },
        ports: [{ name: 'http', hostPort: o.port, containerPort: 8080, protocol: 'tcp' }],
        readiness: { kind: 'http', port: o.port, path: '/' },
      });
    return {
      runtime,
      owner,
      specFor: (o) => specFor(o),
      specIgnoringTermFor: (o) => specFor(o, { IGNORE_TERM: '1' }),
      freePort: () => freePortInRange(26950, 26999),
      cleanup: async () => {
        await removeOwnedServices(manager, owner);
        await removeOwnedServices(manager, `${owner}-other`);
      },
    };
  });
}
