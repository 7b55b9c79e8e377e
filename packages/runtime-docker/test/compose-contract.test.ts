import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@berth/core';
import { freePortInRange, runtimeContract } from '@berth/testkit';
import { describe, it } from 'vitest';
import { ComposeCli, ComposeRuntime } from '../src/index.js';
import { baseSpec, localDocker, NODE, removeOwned, requireDocker, tempDir } from './docker-fixture.js';

/** The contract's workload (see docker-contract.test.ts) as a one-service compose file. */
const server = `
const name = process.env.NAME;
if (process.env.IGNORE_TERM) process.on('SIGTERM', () => {});
console.log('hello ' + name);
console.error('warn ' + name);
require('http').createServer((req, res) => {
  const say = new URL(req.url, 'http://x').searchParams.get('say');
  if (say !== null) console.log(say);
  res.end('ok');
}).listen(8080);
`;

const compose = {
  services: {
    app: {
      image: NODE,
      init: true,
      command: ['node', '-e', server.replaceAll('$', '$$')],
      environment: ['NAME', 'IGNORE_TERM'],
      ports: ['${HOST_PORT:-8080}:8080'],
    },
  },
};

const docker = await localDocker([NODE]);
const cli = docker ? await ComposeCli.find(silentLogger) : undefined;
if (docker && !cli && requireDocker) throw new Error('BERTH_REQUIRE_DOCKER=1 but no compose CLI was found');
const owner = `contract-compose-${process.pid}`;

if (!docker || !cli) {
  describe('runtime contract: compose', () => {
    // Only off CI: .ci/run sets BERTH_REQUIRE_DOCKER=1 (localDocker throws instead) and fails on any skip.
    it.skip('needs a Docker engine, the test images and docker-compose (scripts/docker-up.sh)', () => {});
  });
} else {
  const dir = tempDir('compose-contract');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app.yml'), JSON.stringify(compose, null, 2));
  runtimeContract('compose', async () => {
    const runtime = new ComposeRuntime({
      docker,
      cli,
      dockerHost: 'unix:///var/run/docker.sock',
      node: 'local',
      log: silentLogger,
      childEnv: process.env,
    });
    const specFor = (
      o: { instanceId: string; name: string; port: number },
      env: Record<string, string> = {},
    ) =>
      baseSpec({
        instanceId: o.instanceId,
        instanceName: o.name,
        owner,
        templateDir: dir,
        source: { kind: 'compose', file: 'app.yml' },
        env: { NAME: o.name, HOST_PORT: String(o.port), ...env },
        ports: [{ name: 'http', hostPort: o.port, containerPort: 8080, protocol: 'tcp' }],
        readiness: { kind: 'http', port: o.port, path: '/' },
      });
    return {
      runtime,
      owner,
      specFor: (o) => specFor(o),
      specIgnoringTermFor: (o) => specFor(o, { IGNORE_TERM: '1' }),
      freePort: () => freePortInRange(25400, 25499),
      cleanup: async () => {
        await removeOwned(docker, owner);
        await removeOwned(docker, `${owner}-other`);
      },
    };
  });
}
