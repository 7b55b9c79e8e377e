import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSYBOX,
  dockerForTests,
  labelsOf,
  nginxLikeImage,
  removeOwned,
  writeBaseImages,
} from './fixtures/docker-engine.js';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 12000–12199 belong to this file (and 8080+, which the example prefers).

/** The example, as written. */
const WEB = `name: web
source: { kind: image, image: "nginx:1.27" }
ports:
  - { name: http, containerPort: 80, preferred: 8080 }
`;

const FOREIGN_PORT = 12100;

/** busybox httpd on port 80, preferring the port the foreign container holds. */
const PREFER = `name: pweb
source:
  kind: image
  image: nginx:1.27
  volumes: [{ target: /www/data, type: volume }]
ports:
  - { name: http, containerPort: 80, preferred: ${FOREIGN_PORT}, range: [12100, 12199] }
stopTimeoutSeconds: 2
`;

const docker = await dockerForTests([BUSYBOX]);

describe.skipIf(!docker)('containers on the local engine, through berth', () => {
  const d = docker as Dockerode;
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let foreign: Dockerode.Container | undefined;
  const foreignName = `foreign-web-${process.pid}`;

  beforeAll(async () => {
    env = await tempHome('docker-web');
    await writeBaseImages(env.home, { 'nginx:1.27': await nginxLikeImage(d) });
    await writeTemplate(env.templates, 'web.yaml', WEB);
    await writeTemplate(env.templates, 'pweb.yaml', PREFER);
    berth = await openBerth(env.home, env.templates);
  });

  afterAll(async () => {
    if (berth) {
      for (const i of berth.instances.list())
        await berth.instances.remove(i.id, { volumes: true }).catch(() => {});
      await removeOwned(d, berth.owner);
      await berth.close();
    }
    await foreign?.remove({ force: true }).catch(() => {});
    await env?.cleanup();
  });

  const running = (id: string) =>
    until(`${id} running`, () => berth.instances.get(id).status === 'running' || undefined, 30_000);

  it("runs the issue's web example as written, with nginx:1.27 mapped to a local image", async () => {
    const inst = await berth.instances.create({ template: 'web' });
    await running(inst.id);
    const port = berth.instances.ports(inst.id).http!;
    expect(port).toBeGreaterThanOrEqual(8080);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    expect((await res.text()).trim()).toBe('hello-web');
    const [labels] = await labelsOf(d, inst.id);
    expect(labels).toMatchObject({
      'berth.managed': 'true',
      'berth.owner': berth.owner,
      'berth.instance': inst.name,
      'berth.instance-id': inst.id,
      'berth.template': 'web',
      'berth.node': 'local',
    });
    const lines = await berth.logs.read(berth.instances.get(inst.id), { tail: 10 });
    expect(Array.isArray(lines)).toBe(true);
    await berth.instances.remove(inst.id);
    expect(await labelsOf(d, inst.id)).toEqual([]);
  });

  it('a foreign container on port P: preferring P gets another port, pinning P names the container', async () => {
    foreign = await d.createContainer({
      name: foreignName,
      Image: BUSYBOX,
      Cmd: ['httpd', '-f', '-p', '80', '-h', '/'],
      HostConfig: { Init: true, PortBindings: { '80/tcp': [{ HostPort: String(FOREIGN_PORT) }] } },
      ExposedPorts: { '80/tcp': {} },
    });
    await foreign.start();

    const preferring = await berth.instances.create({ template: 'pweb' });
    const port = berth.instances.ports(preferring.id).http!;
    expect(port).not.toBe(FOREIGN_PORT);
    await running(preferring.id);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);

    const pinned = berth.instances.create({
      template: 'pweb',
      name: 'pinned',
      ports: { http: FOREIGN_PORT },
    });
    await expect(pinned).rejects.toMatchObject({
      code: 'PORT_CONFLICT',
      portConflicts: [{ port: FOREIGN_PORT, usedBy: `Docker container ${foreignName}` }],
    });
    const pre = await berth.instances.preflight(preferring.id);
    expect(pre.canStart).toBe(true);
  });

  it('removing an instance with volumes removes its container, its named volume and its directory', async () => {
    const inst = berth.instances.list().find((i) => i.template === 'pweb')!;
    const volumes = async () =>
      (await d.listVolumes({ filters: { label: [`berth.instance-id=${inst.id}`] } })).Volumes ?? [];
    expect(await volumes()).toHaveLength(1);
    expect(existsSync(inst.dataDir)).toBe(true);
    await berth.instances.remove(inst.id, { volumes: true });
    expect(await labelsOf(d, inst.id)).toEqual([]);
    expect(await volumes()).toEqual([]);
    expect(existsSync(inst.dataDir)).toBe(false);
    expect((await foreign!.inspect()).State.Running).toBe(true); // never touched
  });

  it('shutdown policy leave keeps containers running and adopts them; stop stops them', async () => {
    const inst = await berth.instances.create({ template: 'pweb', name: 'survivor' });
    await running(inst.id);
    await berth.close(); // policy `leave`: close without stopAll
    const [before] = await d.listContainers({ filters: { label: [`berth.instance-id=${inst.id}`] } });
    expect(before?.State).toBe('running');

    berth = await openBerth(env.home, env.templates);
    expect(berth.instances.get(inst.id).status).toBe('running');
    const dep = berth.store.deployments.find(berth.instances.get(inst.id).currentDeploymentId!);
    expect(dep?.handle?.id).toBe(before?.Id);

    await berth.stopAll(); // policy `stop`
    const [after] = await d.listContainers({
      all: true,
      filters: { label: [`berth.instance-id=${inst.id}`] },
    });
    expect(after?.State).toBe('exited');
    expect(berth.instances.get(inst.id).status).toBe('stopped');

    // policy `stop-and-remove`: the container goes, the record and the data directory stay
    await berth.instances.start(inst.id, { wait: true });
    await running(inst.id);
    writeFileSync(join(inst.dataDir, 'kept.txt'), 'still here');
    await berth.stopAll({ removeWorkloads: true });
    expect(await labelsOf(d, inst.id)).toEqual([]);
    expect(readFileSync(join(inst.dataDir, 'kept.txt'), 'utf8')).toBe('still here');
    expect(berth.instances.get(inst.id).status).toBe('stopped');
    await berth.instances.start(inst.id, { wait: true });
    await running(inst.id);
    expect(readFileSync(join(inst.dataDir, 'kept.txt'), 'utf8')).toBe('still here');
  });
});
