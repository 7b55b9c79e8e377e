import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Conflict, type DeploySpec, silentLogger, Unprocessable } from '@berth/core';
import { freePortInRange } from '@berth/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../src/index.js';
import { BUSYBOX, baseSpec, imageSource, localDocker, removeOwned } from './docker-fixture.js';

const docker = await localDocker([BUSYBOX]);
const owner = `runtime-docker-${process.pid}`;
let seq = 0;

function spec(over: Partial<DeploySpec> = {}): DeploySpec {
  seq++;
  return baseSpec({
    instanceId: `${owner}-${seq}`,
    instanceName: `rd-${process.pid}-${seq}`,
    owner,
    ...over,
  });
}

/** busybox httpd on container port 80, after `delay` seconds, saying `hello` first. */
const httpd = (delay = 0) =>
  imageSource(BUSYBOX, {
    command: ['sh', '-c', `echo hello; sleep ${delay}; exec httpd -f -v -p 80 -h /www`],
  });

async function web(over: Partial<DeploySpec> = {}) {
  const port = await freePortInRange(25600, 25699);
  return spec({
    source: httpd(),
    ports: [{ name: 'http', hostPort: port, containerPort: 80, protocol: 'tcp' }],
    readiness: { kind: 'port', port },
    ...over,
  });
}

describe.skipIf(!docker)('DockerRuntime', () => {
  const runtime = new DockerRuntime({
    docker: docker!,
    node: 'local',
    log: silentLogger,
    baseImages: { 'nginx:1.27': BUSYBOX },
    pull: false,
  });
  afterAll(() => removeOwned(docker!, owner));

  it('labels the container and runs it with init, no engine restarts and the limits asked for', async () => {
    const s = await web({ resources: { memoryMb: 64, cpus: 0.5 }, env: { GREETING: 'hi there' } });
    const w = await runtime.deploy(s);
    const info = await docker!.getContainer(w.handle.id).inspect();
    expect(info.Name).toBe(`/berth-${s.instanceName}`);
    expect(info.Config.Labels).toMatchObject({
      'berth.managed': 'true',
      'berth.owner': owner,
      'berth.instance': s.instanceName,
      'berth.instance-id': s.instanceId,
      'berth.template': 'test',
      'berth.node': 'local',
    });
    expect(info.HostConfig.Init).toBe(true);
    expect(info.HostConfig.RestartPolicy?.Name).toBe('no');
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(5e8);
    expect(info.Config.Env).toContain('GREETING=hi there');
    expect(w.ports).toEqual({ http: s.ports[0]!.hostPort });
    expect(w.instanceId).toBe(s.instanceId);
    expect(w.pid).toBeGreaterThan(0);
  });

  it('port readiness waits until the workload listens, not just until docker-proxy accepts', async () => {
    const s = await web({ source: httpd(1) });
    const started = Date.now();
    await runtime.deploy(s);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect((await fetch(`http://127.0.0.1:${s.ports[0]!.hostPort}/`)).status).toBe(200);
  });

  it('probing the container at its own IP (a local engine): ready means listening, for port and http readiness', async () => {
    const direct = new DockerRuntime({
      docker: docker!,
      node: 'local',
      log: silentLogger,
      pull: false,
      probeContainerIp: true,
    });
    for (const readiness of ['port', 'http'] as const) {
      const s = await web({ source: httpd(1) });
      const port = s.ports[0]!.hostPort;
      s.readiness = readiness === 'port' ? { kind: 'port', port } : { kind: 'http', port, path: '/' };
      const w = await direct.deploy(s);
      expect(w.running).toBe(true);
      // No retry: the published port answers the moment deploy returns.
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      const logs = (await docker!.getContainer(w.handle.id).logs({ stdout: true, stderr: true })).toString();
      expect(logs).toMatch(/hello/);
    }
  });

  it('log readiness waits for a matching line', async () => {
    const s = spec({
      source: imageSource(BUSYBOX, { command: ['sh', '-c', 'sleep 0.5; echo server is up; sleep 60'] }),
      readiness: { kind: 'log', pattern: 'is up$' },
    });
    const w = await runtime.deploy(s);
    expect(w.running).toBe(true);
  });

  it('a workload that exits before it is ready fails with its exit code and is removed', async () => {
    const s = await web({ source: imageSource(BUSYBOX, { command: ['sh', '-c', 'echo boom >&2; exit 3'] }) });
    const err = await runtime.deploy(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Unprocessable);
    expect((err as Error).message).toMatch(/exited with code 3 before it was ready.*boom/);
    expect(await runtime.list(owner).then((l) => l.filter((w) => w.instanceId === s.instanceId))).toEqual([]);
  });

  it('bind-mounts the data directory and gives `volume` mounts a labelled named volume', async () => {
    const s = spec({
      source: imageSource(BUSYBOX, {
        command: ['sh', '-c', 'echo kept > /data/file && echo v > /cache/v && echo ready && sleep 60'],
        volumes: [
          { target: '/data', type: 'data', subPath: 'sub', readOnly: false },
          { target: '/cache', type: 'volume', readOnly: false },
        ],
      }),
      readiness: { kind: 'log', pattern: '^ready$' },
    });
    const w = await runtime.deploy(s);
    expect(readFileSync(join(s.dataDir, 'sub', 'file'), 'utf8')).toBe('kept\n');
    const volume = `berth-${s.instanceName}-cache`;
    expect((await docker!.getVolume(volume).inspect()).Labels).toMatchObject({
      'berth.managed': 'true',
      'berth.instance-id': s.instanceId,
    });
    await runtime.remove(w.handle, { volumes: true });
    expect(await runtime.inspect(w.handle)).toBeUndefined();
    await expect(docker!.getVolume(volume).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('on a remote engine (named data volumes) remove with data deletes the data volume, and only with volumes the others', async () => {
    const remoteLike = new DockerRuntime({
      docker: docker!,
      node: 'far',
      log: silentLogger,
      dataVolumes: 'named',
      pull: false,
    });
    const s = spec({
      source: imageSource(BUSYBOX, {
        command: ['sh', '-c', 'echo kept > /data/file && echo ready && sleep 60'],
        volumes: [
          { target: '/data', type: 'data', readOnly: false },
          { target: '/cache', type: 'volume', readOnly: false },
        ],
      }),
      readiness: { kind: 'log', pattern: '^ready$' },
    });
    const w = await remoteLike.deploy(s);
    const data = `berth-${s.instanceName}-data`;
    const cache = `berth-${s.instanceName}-cache`;
    expect((await docker!.getVolume(data).inspect()).Labels).toMatchObject({ 'berth.volume-kind': 'data' });
    // As core's rm without --keep-data asks: the data goes as a local data directory does; the cache stays.
    await remoteLike.remove(w.handle, { data: true });
    await expect(docker!.getVolume(data).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await docker!.getVolume(cache).inspect()).Labels).toMatchObject({
      'berth.volume-kind': 'volume',
    });
    await docker!.getVolume(cache).remove();
  });

  it('takes a suffixed name when a foreign container holds berth-<name>', async () => {
    const s = await web();
    const foreign = await docker!.createContainer({
      name: `berth-${s.instanceName}`,
      Image: BUSYBOX,
      Labels: { 'berth.owner': owner }, // for cleanup only; no berth.instance-id
    });
    try {
      const w = await runtime.deploy(s);
      expect(w.handle.meta.name).toBe(`berth-${s.instanceName}-2`);
    } finally {
      await foreign.remove({ force: true });
    }
  });

  it('replaces a stopped container of the same instance, and refuses a second running one', async () => {
    const s = await web();
    const first = await runtime.deploy(s);
    await expect(runtime.deploy(s)).rejects.toBeInstanceOf(Conflict);
    await runtime.stop(first.handle, 1_000);
    const second = await runtime.deploy(s);
    expect(second.handle.meta.name).toBe(`berth-${s.instanceName}`);
    expect(await runtime.inspect(first.handle)).toBeUndefined();
  });

  it('uses the base-image mapping for a missing image', async () => {
    const s = await web({ source: { ...httpd(), image: 'nginx:1.27' } });
    const w = await runtime.deploy(s);
    const info = await docker!.getContainer(w.handle.id).inspect();
    expect(info.Config.Image).toBe(BUSYBOX);
  });

  it('a missing image with no mapping and no pull is a clear Unprocessable error', async () => {
    const s = await web({ source: { ...httpd(), image: 'berth-test/does-not-exist:1' } });
    await expect(runtime.deploy(s)).rejects.toThrow(
      /image berth-test\/does-not-exist:1 is not on this Docker host/,
    );
  });

  it('pull failure names the image and the reason', async () => {
    const pulling = new DockerRuntime({ docker: docker!, node: 'local', log: silentLogger });
    const s = await web({ source: { ...httpd(), image: 'berth-test/does-not-exist:1' } });
    const err = await pulling.deploy(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Unprocessable);
    expect((err as Error).message).toMatch(
      /^image berth-test\/does-not-exist:1 is not on this Docker host and could not be pulled: ./,
    );
  });

  it('a pinned port held by another container is a port conflict, and nothing is left behind', async () => {
    const a = await web();
    await runtime.deploy(a);
    const b = await web({ ports: a.ports, readiness: { kind: 'none' } });
    const err = await runtime.deploy(b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect((err as Conflict).code).toBe('PORT_CONFLICT');
    expect((await runtime.list(owner)).some((w) => w.instanceId === b.instanceId)).toBe(false);
  });

  it('refuses to remove a container berth did not make', async () => {
    const foreign = await docker!.createContainer({ Image: BUSYBOX, Labels: { 'berth.owner': owner } });
    try {
      await expect(runtime.remove({ runtime: 'docker', id: foreign.id, meta: {} })).rejects.toThrow(
        /not made by berth/,
      );
    } finally {
      await foreign.remove({ force: true });
    }
  });

  it('logs since a time leaves out older lines; inspect reports the exit code of a stopped workload', async () => {
    const s = spec({
      source: imageSource(BUSYBOX, { command: ['sh', '-c', 'echo early; sleep 1.2; echo late; exit 4'] }),
    });
    const w = await runtime.deploy(s);
    const since = Date.now() + 500;
    await new Promise((r) => setTimeout(r, 1_600));
    const lines = [];
    for await (const l of runtime.logs(w.handle, { since })) lines.push(l.line);
    expect(lines).toEqual(['late']);
    const seen = await runtime.inspect(w.handle);
    expect(seen).toMatchObject({ running: false, exitCode: 4, pid: null });
  });
});
