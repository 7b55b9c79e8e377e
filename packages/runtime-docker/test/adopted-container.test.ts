import { NotAllowed, silentLogger } from '@berth/core';
import type Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../src/index.js';
import { BUSYBOX, localDocker } from './docker-fixture.js';

const docker = await localDocker([BUSYBOX]);
const owner = `adopt-${process.pid}`;

describe.skipIf(!docker)('DockerRuntime: containers another system started', () => {
  const d = docker as Dockerode;
  const runtime = new DockerRuntime({ docker: d, node: 'local', log: silentLogger, pull: false });
  const made: Dockerode.Container[] = [];
  const volumes: string[] = [];

  /** A container as an earlier system ran it: no berth labels, port 80 published on a port the engine picks. */
  async function oldContainer(name: string, labels: Record<string, string> = {}) {
    const c = await d.createContainer({
      name,
      Image: BUSYBOX,
      Cmd: ['sh', '-c', 'echo old; mkdir -p /www && exec httpd -f -p 80 -h /www'],
      Labels: labels,
      Volumes: { '/data': {} },
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { Init: true, PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    made.push(c);
    await c.start();
    const info = await c.inspect();
    volumes.push(...(info.Mounts ?? []).flatMap((m) => (m.Name ? [m.Name] : [])));
    const port = Number(info.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort);
    return { id: info.Id, port };
  }
  const as = (port: number) => ({
    instanceId: 'inst-1',
    instanceName: 'old-1',
    owner,
    ports: { http: port },
  });

  afterAll(async () => {
    await Promise.allSettled(made.map((c) => c.remove({ force: true })));
    await Promise.allSettled(volumes.map((v) => d.getVolume(v).remove()));
  });

  it('finds one by its exact name only, with its published port and no berth marker', async () => {
    const name = `old_plain_${process.pid}`;
    const { id, port } = await oldContainer(name);
    expect(await runtime.findByName(name)).toMatchObject({
      ref: id,
      name,
      running: true,
      published: [{ port, protocol: 'tcp' }],
      owner: null,
    });
    expect(await runtime.findByName(id.slice(0, 12))).toBeUndefined(); // the engine resolves id prefixes
    expect(await runtime.findByName(`${name}_missing`)).toBeUndefined();
    expect(await runtime.findByName('../containers')).toBeUndefined();
  });

  it('takes one over: inspect and a list knowing its handle report it as the instance’s; a full list does not', async () => {
    const name = `old_taken_${process.pid}`;
    const { id, port } = await oldContainer(name);
    const found = (await runtime.findByName(name))!;
    const seen = (await runtime.adopt(found, as(port)))!;
    expect(seen).toMatchObject({ running: true, instanceId: 'inst-1', owner, ports: { http: port } });
    expect(seen.handle.id).toBe(id);
    expect(await runtime.inspect(seen.handle)).toMatchObject({ instanceId: 'inst-1', ports: { http: port } });
    const known = await runtime.list(owner, { known: [seen.handle] });
    expect(known.map((w) => [w.handle.id, w.instanceId])).toEqual([[id, 'inst-1']]);
    expect(await runtime.list(owner)).toEqual([]);
    expect(await runtime.list('another-home', { known: [seen.handle] })).toEqual([]);

    // rm: the container goes, the volume of the other system's data stays.
    await runtime.remove(seen.handle, { volumes: true });
    await expect(d.getContainer(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const volume = volumes.at(-1)!;
    expect((await d.getVolume(volume).inspect()).Name).toBe(volume);
  });

  it('refuses one with a berth marker, one stopped since, and removal without a take-over', async () => {
    const labelled = `old_labelled_${process.pid}`;
    const l = await oldContainer(labelled, { 'berth.managed': 'true', 'berth.owner': 'another-home' });
    const foundLabelled = (await runtime.findByName(labelled))!;
    expect(foundLabelled.owner).toBe('another-home');
    expect(await runtime.adopt(foundLabelled, as(l.port))).toBeUndefined();

    const name = `old_stopping_${process.pid}`;
    const s = await oldContainer(name);
    const found = (await runtime.findByName(name))!;
    await d.getContainer(s.id).stop({ t: 0 });
    expect(await runtime.adopt(found, as(s.port))).toBeUndefined();

    const plain = { runtime: 'docker', id: s.id, meta: { name } };
    await expect(runtime.remove(plain)).rejects.toBeInstanceOf(NotAllowed);
    expect((await d.getContainer(s.id).inspect()).Id).toBe(s.id);
  });
});
