import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { silentLogger } from '@berth/core';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDocker, DockerPortSource, DockerRuntime, testDocker } from '../src/index.js';
import { BUSYBOX, baseSpec, imageSource, localDocker, requireDocker } from './docker-fixture.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../scripts/remote-docker.sh', import.meta.url));
const nsName = `rt${process.pid % 100000}`;
// 100.64.1–19: this file's subnets (the table in scripts/remote-docker.sh), apart from every other
// file's, since two files run at once.
const suffix = 1 + (process.pid % 19);
const nsIp = `100.64.${suffix}.2`;

const local = await localDocker([BUSYBOX]);
const isRoot = process.getuid?.() === 0;
if (local && !isRoot) {
  if (requireDocker)
    throw new Error('BERTH_REQUIRE_DOCKER=1 but the remote-host test needs root (network namespaces)');
  console.warn('Skipping the remote Docker host test: it needs root for a network namespace');
}

async function loadImage(from: Dockerode, to: Dockerode, image: string): Promise<void> {
  const tar = await from.getImage(image).get();
  const progress = await to.loadImage(tar);
  await new Promise<void>((resolve, reject) =>
    to.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

describe.skipIf(!local || !isRoot)('a remote Docker host (dockerd in a network namespace)', () => {
  let remote: Dockerode;
  let runtime: DockerRuntime;
  const owner = `remote-${process.pid}`;

  beforeAll(async () => {
    const { stdout } = await run(script, ['up', nsName, String(suffix)]);
    expect(stdout.trim()).toBe(`tcp://${nsIp}:2375`);
    remote = connectDocker({ kind: 'tcp', host: nsIp, port: 2375 });
    await loadImage(local!, remote, BUSYBOX);
    runtime = new DockerRuntime({ docker: remote, node: 'host-b', log: silentLogger, dataVolumes: 'named' });
  }, 60_000);

  afterAll(async () => {
    await run(script, ['down', nsName]);
  }, 60_000);

  it('testDocker reports the version and latency', async () => {
    const result = await testDocker(remote);
    expect(result).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+/) });
    if (result.ok) expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('deploys there, and inspect, list, logs, ports, stop and remove work over tcp', async () => {
    const port = 25700;
    const spec = baseSpec({
      instanceId: `${owner}-1`,
      instanceName: 'remote-web',
      owner,
      node: 'host-b',
      source: imageSource(BUSYBOX, {
        command: ['sh', '-c', 'echo hello-remote; exec httpd -f -p 80 -h /www'],
        volumes: [{ target: '/www/data', type: 'data', readOnly: false }],
      }),
      ports: [{ name: 'http', hostPort: port, containerPort: 80, protocol: 'tcp' }],
      readiness: { kind: 'http', port, path: '/' },
    });
    const w = await runtime.deploy(spec);
    expect(w).toMatchObject({ running: true, instanceId: spec.instanceId, ports: { http: port } });
    expect((await fetch(`http://${nsIp}:${port}/`)).status).toBe(200);

    expect((await runtime.list(owner)).map((x) => x.instanceId)).toEqual([spec.instanceId]);
    const lines = [];
    for await (const l of runtime.logs(w.handle, { tail: 10 })) lines.push(l);
    expect(lines.map((l) => l.line)).toContain('hello-remote');

    const remotePorts = new DockerPortSource(remote, 'host-b', silentLogger);
    expect(await remotePorts.taken('host-b')).toContainEqual(expect.objectContaining({ port }));
    const localPorts = new DockerPortSource(local!, 'local', silentLogger);
    expect((await localPorts.taken('local')).some((t) => t.port === port)).toBe(false);

    await runtime.stop(w.handle, 2_000);
    expect((await runtime.inspect(w.handle))?.running).toBe(false);
    await runtime.remove(w.handle, { volumes: true });
    expect(await runtime.inspect(w.handle)).toBeUndefined();
    expect((await remote.listVolumes()).Volumes ?? []).toEqual([]);
  });

  it('after the host is taken down, testDocker says why, within its own timeout', async () => {
    await run(script, ['down', nsName]);
    // No stopwatch here (a loaded machine runs timers late): testDocker's own timer ends the wait,
    // and 'timeout' is one of the answers that say why.
    const result = await testDocker(remote, { timeoutMs: 3_000 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['refused', 'unreachable', 'timeout']).toContain(result.reason);
  });
});
