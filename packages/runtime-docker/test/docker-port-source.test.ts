import { silentLogger } from '@berth/core';
import { freePortInRange } from '@berth/testkit';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DockerPortSource } from '../src/index.js';
import { BUSYBOX, localDocker } from './docker-fixture.js';

const docker = await localDocker([BUSYBOX]);

describe.skipIf(!docker)('DockerPortSource', () => {
  const name = `foreign-${process.pid}`;
  let port: number;
  let foreign: Dockerode.Container;

  beforeAll(async () => {
    port = await freePortInRange(25500, 25599);
    // A container berth did not make: no berth labels at all.
    foreign = await docker!.createContainer({
      name,
      Image: BUSYBOX,
      Cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { Init: true, PortBindings: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: String(port) }] } },
    });
    await foreign.start();
  });
  afterAll(() => foreign?.remove({ force: true }));

  it('reports a port published by a foreign container as "Docker container <name>"', async () => {
    const source = new DockerPortSource(docker!, 'local', silentLogger);
    const taken = await source.taken('local');
    expect(taken).toContainEqual({
      port,
      protocol: 'tcp',
      usedBy: `Docker container ${name}`,
      kind: 'container',
    });
    expect(taken.filter((t) => t.port === port)).toHaveLength(1);
  });

  it('covers only the host key of its engine', async () => {
    const source = new DockerPortSource(docker!, 'local', silentLogger);
    expect(await source.taken('host-b')).toEqual([]);
  });

  it('shares one engine call between concurrent asks and reuses it for the ttl', async () => {
    let now = 0;
    const source = new DockerPortSource(docker!, 'local', silentLogger, { ttlMs: 1_000, now: () => now });
    const spy = vi.spyOn(docker!, 'listContainers');
    try {
      const [a, b] = await Promise.all([source.taken('local'), source.taken('local')]);
      expect(a).toEqual(b);
      await source.taken('local');
      expect(spy).toHaveBeenCalledTimes(1);
      now = 1_001;
      await source.taken('local');
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});
