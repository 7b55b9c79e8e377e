import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { silentLogger } from '@berth/core';
import { connectDocker, findDockerEndpoint, testDocker } from '@berth/runtime-docker';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from './harness.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../scripts/remote-docker.sh', import.meta.url));
const IMAGE = 'berth-test/busybox:latest';
const requireDocker = process.env.BERTH_REQUIRE_DOCKER === '1';
const nsName = `ig${process.pid % 100000}`;
// 100.64.170–189: this file's subnets (the table in scripts/remote-docker.sh).
const suffix = 170 + (process.pid % 20);
const nsIp = `100.64.${suffix}.2`;

/** Why the network-namespace engine cannot be made here, or null when it can. */
async function unavailable(): Promise<{ local?: Dockerode; reason?: string }> {
  if (process.getuid?.() !== 0) return { reason: 'a network namespace needs root' };
  const found = await findDockerEndpoint(silentLogger);
  if (!found) return { reason: 'no local Docker engine (scripts/docker-up.sh)' };
  const local = connectDocker(found.endpoint);
  // Seconds, not a few: an engine on a loaded machine answers late, and that is not "no engine".
  if (!(await testDocker(local, { timeoutMs: 15_000 })).ok)
    return { reason: 'the local engine does not answer' };
  const hasImage = await local
    .getImage(IMAGE)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  return hasImage ? { local } : { reason: `image ${IMAGE} is missing (scripts/test-images.sh)` };
}

const why = await unavailable();
if (why.reason) {
  if (requireDocker) throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why.reason}`);
  console.warn(`Skipping the remote Docker integration test: ${why.reason}`);
}

describe.runIf(why.local)('Docker integration on a remote engine (dockerd in a network namespace)', () => {
  let h: Harness;
  let remote: Dockerode;

  beforeAll(async () => {
    const { stdout } = await run(script, ['up', nsName, String(suffix)]);
    expect(stdout.trim()).toBe(`tcp://${nsIp}:2375`);
    remote = connectDocker({ kind: 'tcp', host: nsIp, port: 2375 });
    const progress = await remote.loadImage(await why.local!.getImage(IMAGE).get());
    await new Promise<void>((resolve, reject) =>
      remote.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())),
    );
    const c = await remote.createContainer({
      name: 'remote-web',
      Image: IMAGE,
      Cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '49880' }] } },
    });
    await c.start();
    h = await harness();
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await run(script, ['down', nsName]);
  }, 60_000);

  it("scans over tcp; the ports count as taken on the engine's address, not on local", async () => {
    const d = h.service.create({
      name: 'host-b',
      type: 'docker',
      config: { host: `tcp://${nsIp}:2375`, timeout: 10 },
    });
    expect(await h.service.test(d.id)).toMatchObject({ ok: true });
    expect(await h.service.scanNow(d.id)).toMatchObject({ ok: true, containers: 1, ports: 1 });
    expect(h.service.results(d.id)).toEqual([
      expect.objectContaining({
        host: nsIp,
        containerName: 'remote-web',
        state: 'running',
        ports: [{ port: 49880, protocol: 'tcp' }],
      }),
    ]);
    expect((await h.ledger.external(nsIp)).get('tcp/49880')?.usedBy).toBe(
      `Docker integration 'host-b' → container remote-web on host ${nsIp}`,
    );
    expect((await h.ledger.external('local')).has('tcp/49880')).toBe(false);
  });

  it('a remote engine that went away records the error', async () => {
    await run(script, ['down', nsName]);
    const outcome = await h.service.scanNow('host-b');
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringMatching(/refused|timeout/) });
    expect(h.service.get('host-b')).toMatchObject({ lastScanStatus: 'error', containerCount: 1 });
  });
});
