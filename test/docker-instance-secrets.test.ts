import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, removeOwned } from './fixtures/docker-engine.js';
import { get, openBerth, tempHome, writeTemplate } from './support.js';

// Ports 26200–26299 belong to this file. A container gets a secret config value in its
// environment, opened from the keyring; the database holds it sealed only.

const PLAIN = 'DOCKER-SECRET-2718';

const TEMPLATE = `name: dsec
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sh", "-c", "mkdir -p /www && printf %s \\"$APIKEY\\" | sha256sum > /www/index.html && exec httpd -f -p 80 -h /www"]
ports:
  - { name: http, containerPort: 80, range: [26200, 26299] }
config:
  apikey: { type: string, secret: true, env: APIKEY, required: true }
readiness: { kind: http, port: http, timeoutSeconds: 30 }
stopTimeoutSeconds: 2
`;

const docker = await dockerForTests([BUSYBOX]);

describe.skipIf(!docker)('a secret config value of a container instance', () => {
  const d = docker as Dockerode;
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;

  beforeAll(async () => {
    env = await tempHome('docker-secrets');
    await writeTemplate(env.templates, 'dsec.yaml', TEMPLATE);
    berth = await openBerth(env.home, env.templates);
  });

  afterAll(async () => {
    if (berth) {
      await removeOwned(d, berth.owner);
      await berth.close();
    }
    await env?.cleanup();
  });

  it('reaches the container in its environment and stays sealed in the database', async () => {
    const inst = await berth.instances.create(
      { template: 'dsec', name: 'dsec', config: { apikey: PLAIN } },
      { wait: true },
    );
    expect(inst.status).toBe('running');
    const port = berth.instances.ports(inst.id).http!;
    const served = await get(port);
    expect(served.split(' ')[0]).toBe(createHash('sha256').update(PLAIN).digest('hex'));

    expect(inst.config.apikey).toMatch(/^sealed:v1:/);
    const bytes = ['berth.db', 'berth.db-wal']
      .map((f) => join(env.home, f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('');
    expect(bytes).not.toContain(PLAIN);
  });
});
