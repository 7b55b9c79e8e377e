import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { Conflict, silentLogger } from '@berth/core';
import { ComposeCli } from '@berth/runtime-docker';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, removeOwned, requireDocker } from './fixtures/docker-engine.js';
import { listen, openBerth, tempHome } from './support.js';

// A compose file that publishes a fixed host port ("P:80") while another program holds P: the
// regression was an instance shown on 20000, a preflight saying all was free, and compose's raw
// "address already in use" at start.
const docker = await dockerForTests([BUSYBOX]);
const cli = docker ? await ComposeCli.find(silentLogger) : undefined;
if (docker && !cli && requireDocker) throw new Error('BERTH_REQUIRE_DOCKER=1 but no compose CLI was found');

function composeFile(port: number): string {
  return `services:
  web:
    image: ${BUSYBOX}
    init: true
    environment: [BERTH_INSTANCE]
    command: ["sh", "-c", "mkdir -p /www && echo \\"hello from $$BERTH_INSTANCE\\" > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports:
      - "${port}:80"
`;
}

describe.skipIf(!docker || !cli)('fixed host ports in a compose file are pinned ports', () => {
  const d = docker as Dockerode;
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let held: Server;
  let port: number;
  let file: string;

  beforeAll(async () => {
    held = await listen(0);
    port = (held.address() as { port: number }).port;
    env = await tempHome('compose-fixed');
    await mkdir(join(env.home, 'compose'), { recursive: true });
    file = join(env.home, 'compose', 'fixed-compose.yaml');
    await writeFile(file, composeFile(port));
    berth = await openBerth(env.home, env.templates);
  });

  afterAll(async () => {
    held?.close();
    if (berth) {
      for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => {});
      await removeOwned(d, berth.owner);
      await berth.close();
    }
    await env?.cleanup();
  });

  it('names the holder in preflight and refuses the start with a port conflict', async () => {
    const name = `web-${port}`;
    expect(berth.templates.get('fixed').template.ports).toMatchObject([
      { name, preferred: port, fixed: true },
    ]);
    const inst = await berth.instances.create({ template: 'fixed', name: 'f1', start: false });
    expect(berth.instances.ports(inst.id)).toEqual({ [name]: port });
    const pre = await berth.instances.preflight('f1');
    expect(pre.canStart).toBe(false);
    expect(pre.portConflicts).toMatchObject([{ name, port, pinned: true }]);
    expect(pre.portConflicts[0]?.usedBy).toMatch(/process node|pid \d+/);
    await expect(berth.instances.start('f1', { wait: true })).rejects.toBeInstanceOf(Conflict);
  });

  it('after an override the container publishes the port berth records, and the file is untouched', async () => {
    const name = `web-${port}`;
    const suggested = (await berth.instances.preflight('f1')).portConflicts[0]?.suggestedPort;
    expect(suggested).toEqual(expect.any(Number));
    await berth.instances.overridePort('f1', name, suggested as number);
    const started = await berth.instances.start('f1', { wait: true });
    expect(started.status).toBe('running');
    expect(berth.instances.ports(started.id)).toEqual({ [name]: suggested });
    expect(await (await fetch(`http://127.0.0.1:${suggested}/`)).text()).toBe('hello from f1\n');
    const [container] = await d.listContainers({
      filters: { label: ['com.docker.compose.project=berth-f1', 'com.docker.compose.service=web'] },
    });
    expect(container?.Ports.map((p) => p.PublicPort)).toContain(suggested);
    expect(container?.Ports.map((p) => p.PublicPort)).not.toContain(port);
    expect(await readFile(file, 'utf8')).toBe(composeFile(port));
    // Stop and start again: the same project, files and port.
    await berth.instances.stop('f1', { wait: true });
    const again = await berth.instances.start('f1', { wait: true });
    expect(again.status).toBe('running');
    expect(await (await fetch(`http://127.0.0.1:${suggested}/`)).text()).toBe('hello from f1\n');
  });
});
