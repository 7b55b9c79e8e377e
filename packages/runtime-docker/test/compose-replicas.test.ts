import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeTemplate, type ObservedWorkload, silentLogger } from '@berth/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ComposeCli, ComposeRuntime } from '../src/index.js';
import {
  BUSYBOX,
  baseSpec,
  localDocker,
  NODE,
  removeOwned,
  requireDocker,
  tempDir,
} from './docker-fixture.js';

/**
 * Compose replicas on the local engine: the primary service runs as N containers, each publishing
 * its container port on a host port the engine chooses (no fixed port: nothing from a port block),
 * while the other service stays one container; scale changes the count in place.
 */
const server =
  "require('http').createServer((q, s) => s.end(require('os').hostname())).listen(8080, () => console.log('listening'))";

const compose = {
  services: {
    web: { image: NODE, init: true, command: ['node', '-e', server], ports: ['8080'] },
    cache: { image: BUSYBOX, init: true, command: ['sleep', '3600'] },
  },
};

const docker = await localDocker([NODE, BUSYBOX]);
const cli = docker ? await ComposeCli.find(silentLogger) : undefined;
if (docker && !cli && requireDocker) throw new Error('BERTH_REQUIRE_DOCKER=1 but no compose CLI was found');
const owner = `compose-replicas-${process.pid}`;

const dir = tempDir('compose-replicas');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'app.yml'), JSON.stringify(compose, null, 2));

function runtime(): ComposeRuntime {
  return new ComposeRuntime({
    docker: docker!,
    cli: cli!,
    dockerHost: 'unix:///var/run/docker.sock',
    node: 'local',
    log: silentLogger,
    childEnv: process.env,
  });
}

const spec = (name: string, replicas: number) =>
  baseSpec({
    instanceId: `id-${name}`,
    instanceName: name,
    owner,
    templateDir: dir,
    source: { kind: 'compose', file: 'app.yml', service: 'web' },
    replicas,
    readiness: { kind: 'log', pattern: 'listening' },
  });

/** The containers of a service of the project, by id. */
async function containersOf(project: string, service: string): Promise<string[]> {
  const label = [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`];
  const list = await docker!.listContainers({ all: true, filters: { label } });
  return list.map((c) => c.Id).sort();
}

/**
 * The workload once every replica lists its host port: the engine's container list can miss the
 * ports of a container that has just started, for a moment (the next look has them).
 */
async function withPorts(rt: ComposeRuntime, w: ObservedWorkload): Promise<ObservedWorkload> {
  for (let i = 0; i < 50; i++) {
    if (w.replicas?.items.every((r) => (r.ports ?? []).length > 0)) return w;
    await new Promise((r) => setTimeout(r, 100));
    w = (await rt.inspect(w.handle)) ?? w;
  }
  return w;
}

/** Each replica's one host port, and what answers there. */
async function answers(w: ObservedWorkload): Promise<{ port: number; host: string }[]> {
  return Promise.all(
    (w.replicas?.items ?? []).map(async (r) => {
      expect(r.ports).toHaveLength(1);
      const p = r.ports![0]!;
      expect(p).toMatchObject({ containerPort: 8080, protocol: 'tcp' });
      const host = await (await fetch(`http://127.0.0.1:${p.hostPort}/`)).text();
      return { port: p.hostPort, host };
    }),
  );
}

describe.skipIf(!docker || !cli)('compose replicas (real engine, docker compose)', () => {
  afterAll(async () => {
    if (docker) await removeOwned(docker, owner);
  }, 60_000);

  it('runs replicas 2 as two containers of the primary service, each on its own host port; the cache stays one', async () => {
    const w = await runtime().deploy(spec('rep-two', 2));
    expect(w.replicas).toMatchObject({ desired: 2, running: 2 });
    expect(w.replicas!.items.map((r) => [r.id, r.node, r.state])).toEqual([
      ['1', 'local', 'running'],
      ['2', 'local', 'running'],
    ]);
    const seen = await answers(await withPorts(runtime(), w));
    expect(new Set(seen.map((s) => s.port)).size).toBe(2);
    // Two different containers answered.
    expect(new Set(seen.map((s) => s.host)).size).toBe(2);
    expect(await containersOf(w.handle.id, 'cache')).toHaveLength(1);
    // list() reports the same replicas as inspect().
    const listed = (await runtime().list(owner)).find((x) => x.handle.id === w.handle.id);
    expect(listed?.replicas).toEqual((await withPorts(runtime(), w)).replicas);
    await runtime().remove(w.handle);
  }, 120_000);

  it('scales 1 → 3 → 1 in place: the containers that run keep running', async () => {
    const rt = runtime();
    const one = await rt.deploy(spec('rep-scale', 1));
    expect(one.replicas).toMatchObject({ desired: 1, running: 1 });
    const [first] = await containersOf(one.handle.id, 'web');
    const three = await rt.scale!(one.handle, spec('rep-scale', 3), 3);
    expect(three.replicas).toMatchObject({ desired: 3, running: 3 });
    const webs = await containersOf(one.handle.id, 'web');
    expect(webs).toHaveLength(3);
    expect(webs).toContain(first);
    expect(new Set((await answers(await withPorts(rt, three))).map((s) => s.host)).size).toBe(3);
    const back = await rt.scale!(one.handle, spec('rep-scale', 1), 1);
    expect(back.replicas).toMatchObject({ desired: 1, running: 1 });
    expect(await containersOf(one.handle.id, 'web')).toEqual([first]);
    await rt.remove(one.handle);
  }, 180_000);

  it('says why a template whose primary service publishes a host port cannot scale, naming the service and port', async () => {
    const fixed = join(dir, 'fixed.yml');
    const text = 'services:\n  web:\n    image: x\n    ports: ["8080:80"]\n  db:\n    image: y\n';
    writeFileSync(fixed, text);
    const template = composeTemplate(text, fixed, 'fixed.yml');
    expect(await runtime().scaleRefusal(template, dir, 2)).toMatch(
      /^service web publishes host port 8080, and one host port cannot be shared by 2 containers/,
    );
    expect(await runtime().scaleRefusal(template, dir, 1)).toBeNull();
    const scalable = composeTemplate(JSON.stringify(compose), join(dir, 'app.yml'), 'app.yml');
    expect(await runtime().scaleRefusal(scalable, dir, 5)).toBeNull();
  });
});

if (!docker || !cli) {
  describe('compose replicas', () => {
    // Only off CI: .ci/run sets BERTH_REQUIRE_DOCKER=1 (localDocker throws instead) and fails on any skip.
    it.skip('needs a Docker engine, the test images and docker-compose (scripts/docker-up.sh)', () => {});
  });
}
