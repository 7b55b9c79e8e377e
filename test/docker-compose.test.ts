import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '@berth/core';
import { ComposeCli } from '@berth/runtime-docker';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, removeOwned, requireDocker } from './fixtures/docker-engine.js';
import { openBerth, tempHome, until } from './support.js';

// Ports 11400–11499 belong to this file.

/** A compose file in the seed's style: the host port is `${HELLO_PORT:-11400}`. */
const COMPOSE = `services:
  web:
    image: ${BUSYBOX}
    init: true
    environment: [BERTH_INSTANCE]
    command: ["sh", "-c", "mkdir -p /www && echo \\"hello from $$BERTH_INSTANCE\\" > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports:
      - "\${HELLO_PORT:-11400}:80"
  sidecar:
    image: ${BUSYBOX}
    init: true
    command: ["sleep", "3600"]
`;

const docker = await dockerForTests([BUSYBOX]);
const cli = docker ? await ComposeCli.find(silentLogger) : undefined;
if (docker && !cli && requireDocker) throw new Error('BERTH_REQUIRE_DOCKER=1 but no compose CLI was found');

describe.skipIf(!docker || !cli)('a compose template from the compose folder', () => {
  const d = docker as Dockerode;
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;

  beforeAll(async () => {
    env = await tempHome('docker-compose');
    await mkdir(join(env.home, 'compose'), { recursive: true });
    await writeFile(join(env.home, 'compose', 'hello-compose.yaml'), COMPOSE);
    berth = await openBerth(env.home, env.templates);
  });

  afterAll(async () => {
    if (berth) {
      for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => {});
      await removeOwned(d, berth.owner);
      await berth.close();
    }
    await env?.cleanup();
  });

  it('is discovered with its ${VAR:-default} port', () => {
    const t = berth.templates.get('hello').template;
    expect(t.source).toMatchObject({ kind: 'compose', file: 'hello-compose.yaml', service: 'web' });
    expect(t.ports).toMatchObject([
      { name: 'hello-port', env: 'HELLO_PORT', preferred: 11400, containerPort: 80 },
    ]);
  });

  it('two instances are two projects with distinct ports, both answering', async () => {
    const a = await berth.instances.create({ template: 'hello' });
    const b = await berth.instances.create({ template: 'hello' });
    for (const id of [a.id, b.id]) {
      await until(`${id} running`, () => berth.instances.get(id).status === 'running' || undefined, 60_000);
    }
    const pa = berth.instances.ports(a.id)['hello-port']!;
    const pb = berth.instances.ports(b.id)['hello-port']!;
    expect(new Set([pa, pb, 11400]).size).toBe(2); // one got the default, the other the next port
    expect(pa).not.toBe(pb);
    expect(await (await fetch(`http://127.0.0.1:${pa}/`)).text()).toBe(`hello from ${a.name}\n`);
    expect(await (await fetch(`http://127.0.0.1:${pb}/`)).text()).toBe(`hello from ${b.name}\n`);

    for (const inst of [a, b]) {
      const project = `berth-${inst.name}`;
      const containers = await d.listContainers({
        filters: { label: [`com.docker.compose.project=${project}`] },
      });
      expect(containers.map((c) => c.Labels['com.docker.compose.service']).sort()).toEqual([
        'sidecar',
        'web',
      ]);
      expect(containers.every((c) => c.Labels['berth.owner'] === berth.owner)).toBe(true);
      expect(containers.every((c) => c.Labels['berth.instance-id'] === inst.id)).toBe(true);
    }
    expect(await berth.reconciler.findOrphans()).toEqual([]);
    const lines = await berth.logs.read(berth.instances.get(a.id), { tail: 50 });
    expect(Array.isArray(lines)).toBe(true);

    await berth.instances.remove(a.id);
    const left = await d.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=berth-${a.name}`] },
    });
    expect(left).toEqual([]);
    expect(berth.instances.get(b.id).status).toBe('running');
  });
});
