import { silentLogger } from '@berth/core';
import { freePortInRange, runtimeContract } from '@berth/testkit';
import { describe, it } from 'vitest';
import { DockerRuntime } from '../src/index.js';
import { baseSpec, imageSource, localDocker, NODE, removeOwned } from './docker-fixture.js';

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

const docker = await localDocker([NODE]);
const owner = `contract-docker-${process.pid}`;

if (!docker) {
  describe('runtime contract: docker', () => {
    // Only off CI: .ci/run sets BERTH_REQUIRE_DOCKER=1 (localDocker throws instead) and fails on any skip.
    it.skip('needs a Docker engine (scripts/docker-up.sh) and scripts/test-images.sh', () => {});
  });
} else {
  runtimeContract('docker', async () => {
    const runtime = new DockerRuntime({ docker, node: 'local', log: silentLogger });
    const specFor = (
      o: { instanceId: string; name: string; port: number },
      env: Record<string, string> = {},
    ) =>
      baseSpec({
        instanceId: o.instanceId,
        instanceName: o.name,
        owner,
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
      freePort: () => freePortInRange(25300, 25399),
      cleanup: async () => {
        await removeOwned(docker, owner);
        await removeOwned(docker, `${owner}-other`);
      },
    };
  });
}
