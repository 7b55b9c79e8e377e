import { silentLogger } from '@berth/core';
import { connectDocker, findDockerEndpoint, testDocker } from '@berth/runtime-docker';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from './harness.js';

const IMAGE = 'berth-test/busybox:latest';
const requireDocker = process.env.BERTH_REQUIRE_DOCKER === '1';

/** The local engine with the test image, or the reason there is none (fatal under BERTH_REQUIRE_DOCKER=1). */
async function localEngine(): Promise<{ docker?: Dockerode; socket?: string }> {
  const found = await findDockerEndpoint(silentLogger);
  const why = !found
    ? 'no Docker endpoint was found (start one with scripts/docker-up.sh)'
    : found.endpoint.kind !== 'socket'
      ? 'the local engine is not on a unix socket'
      : undefined;
  if (found?.endpoint.kind === 'socket' && !why) {
    const docker = connectDocker(found.endpoint);
    // Seconds, not a few: an engine on a loaded machine answers late, and that is not "no engine".
    const t = await testDocker(docker, { timeoutMs: 15_000 });
    const image = t.ok
      ? await docker
          .getImage(IMAGE)
          .inspect()
          .then(
            () => true,
            () => false,
          )
      : false;
    if (t.ok && image) return { docker, socket: found.endpoint.path };
    const reason = t.ok
      ? `image ${IMAGE} is missing (scripts/test-images.sh)`
      : `the engine does not answer (${t.message})`;
    if (requireDocker) throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${reason}`);
    console.warn(`Skipping Docker integration tests: ${reason}`);
    return {};
  }
  if (requireDocker) throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why}`);
  console.warn(`Skipping Docker integration tests: ${why}`);
  return {};
}

const engine = await localEngine();

describe.runIf(engine.docker)('Docker integration (the real local engine)', () => {
  let h: Harness;
  let container: Dockerode.Container;
  const name = `berth-integration-${process.pid}`;
  const port = 14900 + (process.pid % 90); // this file's block: 14900–14989

  beforeAll(async () => {
    h = await harness();
    container = await engine.docker!.createContainer({
      name,
      Image: IMAGE,
      Cmd: ['httpd', '-f', '-p', '8080', '-h', '/www'],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
    });
    await container.start();
  });
  afterAll(async () => {
    await container?.remove({ force: true });
    await h.close();
  });

  it("tests the connection: the engine's version", async () => {
    const d = h.service.create({ name: 'd', type: 'docker', config: { host: `unix://${engine.socket}` } });
    expect(d.config).toEqual({ host: `unix://${engine.socket}`, timeout: 30 });
    expect(await h.service.test(d.id)).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\./) });
  });

  it('a missing socket is refused', async () => {
    const gone = h.service.create({ type: 'docker', config: { host: '/nonexistent/docker.sock' } });
    expect(gone.name).toBe('Docker 2');
    expect(await h.service.test(gone.id)).toMatchObject({ ok: false, reason: 'refused' });
    h.service.remove(gone.id);
  });

  it('scans every container with its published ports; the ledger counts them on local', async () => {
    expect(await h.service.scanNow('d')).toMatchObject({ ok: true });
    const row = h.service.results('d').find((r) => r.containerName === name);
    expect(row).toMatchObject({
      host: 'local',
      image: IMAGE,
      state: 'running',
      ports: [{ port, protocol: 'tcp' }],
    });
    const ext = await h.ledger.external('local');
    expect(ext.get(`tcp/${port}`)?.usedBy).toBe(`Docker integration 'd' → container ${name}`);
    expect(await h.ledger.free('local', 1, port, port + 1)).toEqual([port + 1]);
  });

  it('a stopped container keeps its row but no longer holds the port', async () => {
    await container.stop({ t: 0 });
    await h.service.scanNow('d');
    expect(h.service.results('d').find((r) => r.containerName === name)?.state).toBe('exited');
    expect((await h.ledger.external('local')).has(`tcp/${port}`)).toBe(false);
  });
});
