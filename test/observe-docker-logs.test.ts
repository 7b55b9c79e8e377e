import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeploySpec, type LogLine, silentLogger } from '@berth/core';
import { connectDocker, DockerRuntime, findDockerEndpoint, testDocker } from '@berth/runtime-docker';
import type Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';

// No ports. The DockerRuntime itself: createBerth registers Docker nodes through the Docker issue.
const BUSYBOX = 'berth-test/busybox:latest';
const LINES = 3000;

/** The local engine with the busybox test image; with BERTH_REQUIRE_DOCKER=1 a missing one fails. */
async function engine(): Promise<Dockerode | undefined> {
  const found = await findDockerEndpoint(silentLogger);
  const docker = found ? connectDocker(found.endpoint) : undefined;
  // Seconds, not a few: an engine on a loaded machine answers late, and that is not "no engine".
  const ok = docker && (await testDocker(docker, { timeoutMs: 15_000 })).ok;
  const image =
    ok &&
    (await docker
      .getImage(BUSYBOX)
      .inspect()
      .then(
        () => true,
        () => false,
      ));
  if (image) return docker;
  const why = !docker ? 'no Docker endpoint' : !ok ? 'the engine does not answer' : `${BUSYBOX} is missing`;
  if (process.env.BERTH_REQUIRE_DOCKER === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why}`);
  console.warn(`Skipping the container log follow: ${why}`);
  return undefined;
}

const docker = await engine();
const owner = `observe-docker-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'berth-observe-docker-'));

function spec(name: string, script: string): DeploySpec {
  return {
    instanceId: `${owner}-${name}`,
    instanceName: `${name}-${process.pid}`,
    template: 'test',
    node: 'local',
    owner,
    dataDir: join(dir, name, 'data'),
    logDir: join(dir, name, 'logs'),
    source: { kind: 'image', image: BUSYBOX, volumes: [], init: true, command: ['sh', '-c', script] },
    command: [],
    cwd: dir,
    env: {},
    ports: [],
    labels: {},
    readiness: { kind: 'log', pattern: 'waiting' },
    readinessTimeoutMs: 15_000,
    stopTimeoutMs: 2_000,
    resources: undefined,
    replicas: 1,
    templateDir: null,
  };
}

describe.skipIf(!docker)('following a container’s logs', () => {
  const runtime = new DockerRuntime({ docker: docker!, node: 'local', log: silentLogger, pull: false });
  afterAll(async () => {
    const containers = await docker!.listContainers({
      all: true,
      filters: { label: [`berth.owner=${owner}`] },
    });
    await Promise.allSettled(containers.map((c) => docker!.getContainer(c.Id).remove({ force: true })));
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets the tail, then every line written after it once, in order, stdout and stderr apart', async () => {
    // "waiting", a pause for the follow to attach, then numbered lines (every 500th also on stderr).
    const script = [
      'echo waiting; sleep 1; i=0',
      `while [ $i -lt ${LINES} ]; do i=$((i+1)); echo "line $i"; [ $((i % 500)) -eq 0 ] && echo "err $i" >&2; done`,
      'exec sleep 3600',
    ].join('; ');
    const w = await runtime.deploy(spec('ticker', script));
    const ac = new AbortController();
    const seen: LogLine[] = [];
    for await (const l of runtime.logs(w.handle, { tail: 1, follow: true, signal: ac.signal })) {
      seen.push(l);
      if (l.line === `line ${LINES}`) ac.abort();
    }
    const out = seen.filter((l) => l.stream === 'stdout').map((l) => l.line);
    expect(out[0]).toBe('waiting');
    expect(out.slice(1)).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
    const err = seen.filter((l) => l.stream === 'stderr').map((l) => l.line);
    expect(err).toEqual(
      ['err 500', 'err 1000', 'err 1500', 'err 2000', 'err 2500', 'err 3000'].slice(0, err.length),
    );
    expect(err.length).toBeGreaterThanOrEqual(5);
    expect(seen.every((l) => l.ts > Date.now() - 60_000)).toBe(true);
  });
});
