import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import type Dockerode from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoTemplate, startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { BUSYBOX, dockerForTests, removeOwned } from './fixtures/docker-engine.js';
import { listen, tempHome, until, writeTemplate } from './support.js';

// The earlier system's service_registry.json, exactly as its design notes show it (numeric
// instance_id, a map keyed by container name); ports 26500–26599 (below the ephemeral range) are this file's.
const SEED_EXAMPLE = {
  buckets_instance_1: {
    template: 'buckets',
    container_name: 'buckets_instance_1',
    container_id: 'abc123...',
    port: 26510,
    instance_id: 1,
    project_dir: '../templates/buckets/instance_1',
    created_at: '2025-07-30T10:30:00',
    status: 'running',
  },
};

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [echoTemplate('buckets', [26500, 26599]), echoTemplate('mem0', [26500, 26599])],
  });
});
afterAll(() => t?.close());

describe('POST /import/service-registry', () => {
  it('imports the documented example through the same create as any instance: ledger, events, data dir', async () => {
    const res = await t.api('POST', '/import/service-registry', SEED_EXAMPLE);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      imported: [{ name: 'buckets-instance-1', template: 'buckets', port: 26510 }],
      adopted: [],
      skipped: [],
    });
    const inst = await t.api('GET', '/instances/buckets-instance-1');
    expect(inst.body).toMatchObject({
      status: 'stopped',
      ports: { http: 26510 },
      portOverrides: { http: 26510 },
    });
    const events = await t.api('GET', '/events?instance=buckets-instance-1');
    expect(JSON.stringify(events.body)).toContain('imported from service_registry.json (was running');
    const ports = await t.api('GET', '/ports');
    expect(JSON.stringify(ports.body)).toContain('26510');
    // It starts on its old port.
    const started = await t.api('POST', '/instances/buckets-instance-1/start?wait=1');
    expect(started.status).toBe(200);
    expect((await fetch('http://127.0.0.1:26510/')).status).toBe(200);
  });

  it('names the templates that exist when an entry names one berth does not know', async () => {
    const res = await t.api('POST', '/import/service-registry', [
      { template: 'ghost', port: 26520, instance_id: 2 },
    ]);
    expect(res.body.skipped).toEqual([
      {
        name: 'ghost-2',
        reason:
          "template 'ghost' is not known to berth (templates: buckets, mem0); add it, then import again",
      },
    ]);
  });

  it('keeps an entry whose old port a native process holds (nothing to take over) and says who holds it', async () => {
    const held = await listen(0);
    const port = (held.address() as { port: number }).port;
    try {
      const res = await t.api('POST', '/import/service-registry', [
        { template: 'mem0', container_name: 'mem0-old', port, instance_id: 'mem0_1', status: 'running' },
      ]);
      expect(res.body.imported).toEqual([{ name: 'mem0-1', template: 'mem0', port }]);
      expect(res.body.adopted).toEqual([]);
      const pre = await t.api('GET', '/instances/mem0-1/preflight');
      expect(pre.body.canStart).toBe(false);
      expect(pre.body.portConflicts[0].usedBy).toMatch(/process/);
    } finally {
      held.close();
    }
  });

  it('is idempotent, and refuses a file that is not a registry naming the field', async () => {
    const again = await t.api('POST', '/import/service-registry', SEED_EXAMPLE);
    expect(again.body.imported).toEqual([]);
    expect(again.body.skipped[0].reason).toContain('exists already');
    const bad = await t.api('POST', '/import/service-registry', [{ template: 'mem0', port: 'x' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/registry\.0\.port/);
  });
});

// The old system's containers: started here with `docker run`, none of berth's labels. Ports
// 26540–26579 of this file's range: 26540–26549 published by those containers, 26560–26579 for
// the copies berth starts itself.
const run = promisify(execFile);
const cliMain = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const TOKEN = 'registry-adopt-token';
const OLD_PORT = 26540;
const NEW_PORT = 26541;
/** The registry's port of a container that has moved to MOVED_PORT since. */
const OFF_PORT = 26542;
const MOVED_PORT = 26543;
const SECOND_PORT = 26544;
const LABELLED_PORT = 26545;
const THIRD_PORT = 26546;
const BUCKETS_IMAGE = `name: buckets
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sh", "-c", "mkdir -p /www && echo berth-copy > /www/index.html && exec httpd -f -p 80 -h /www"]
ports:
  - { name: http, containerPort: 80, preferred: 26560, range: [26560, 26579] }
readiness: { kind: http, port: http, path: /, timeoutSeconds: 20 }
stopTimeoutSeconds: 2
`;

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Loose = any;

const docker = await dockerForTests([BUSYBOX]);

describe.skipIf(!docker)(
  'a container of the old system that still runs is taken over, not started twice',
  () => {
    const d = docker as Dockerode;
    const tag = process.pid;
    const old = `buckets_instance_${tag}`;
    const name = `buckets-instance-${tag}`;
    const fresh = `buckets-fresh-${tag}`;
    const started: string[] = [];
    let env: Awaited<ReturnType<typeof tempHome>>;
    let server: RunningServer | undefined;
    let oldId = '';

    const open = async () => {
      const config = loadServerConfig(
        { home: env.home, templates: env.templates, port: 0, proxyPort: 0 },
        { BERTH_ADMIN_TOKEN: TOKEN },
      );
      server = await startServer(config, {
        log: pino({ level: 'silent' }),
        announce: false,
        tickMs: 200,
        observe: { sampleSeconds: 0.5 },
      });
      return server;
    };
    const api = async (
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; body: Loose }> => {
      const res = await fetch(`${server!.apiUrl}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const cli = (...args: string[]) =>
      run(process.execPath, [cliMain, ...args], {
        env: { ...process.env, BERTH_URL: server!.apiUrl, BERTH_TOKEN: TOKEN },
      });
    /** `docker run` of an httpd answering `body`, as the old system ran its services. */
    const dockerRun = async (container: string, port: number, body: string, extra: string[] = []) => {
      const script = `echo old system up; mkdir -p /www && echo ${body} > /www/index.html && exec httpd -f -p 80 -h /www`;
      const args = [
        'run',
        '-d',
        '--init',
        '--name',
        container,
        '-p',
        `${port}:80`,
        ...extra,
        BUSYBOX,
        'sh',
        '-c',
        script,
      ];
      const { stdout } = await run('docker', args);
      started.push(container);
      return stdout.trim();
    };
    const answer = (port: number) =>
      fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3_000) }).then(
        async (r) => (await r.text()).trim(),
        () => '',
      );
    const running = async (id: string) => (await d.getContainer(id).inspect()).State.Running;
    /** Containers publishing `port`, by name. */
    const publishing = async (port: number) =>
      (await d.listContainers())
        .filter((c) => c.Ports.some((p) => p.PublicPort === port))
        .map((c) => c.Names[0]);

    beforeAll(async () => {
      env = await tempHome('registry-adopt');
      await writeTemplate(env.templates, 'buckets.yaml', BUCKETS_IMAGE);
      oldId = await dockerRun(old, OLD_PORT, 'old-system');
      await until(
        'the old container answers',
        async () => (await answer(OLD_PORT)) === 'old-system' || undefined,
      );
      await open();
    });

    afterAll(async () => {
      if (server) {
        for (const i of server.berth.instances.list())
          await server.berth.instances.remove(i.id).catch(() => {});
        await removeOwned(d, server.berth.owner);
        await server.close();
      }
      await Promise.allSettled(started.map((c) => d.getContainer(c).remove({ force: true })));
      await env?.cleanup();
    });

    it('imports the seed example: the running one is adopted with its container and port, the other imported as before', async () => {
      const registry = {
        [old]: {
          template: 'buckets',
          container_name: old,
          container_id: 'abc123...',
          port: OLD_PORT,
          instance_id: 1,
          project_dir: '../templates/buckets/instance_1',
          created_at: '2025-07-30T10:30:00',
          status: 'running',
        },
        [`buckets_fresh_${tag}`]: { template: 'buckets', port: NEW_PORT, instance_id: 2, status: 'stopped' },
      };
      const file = join(env.home, 'service_registry.json');
      await writeFile(file, JSON.stringify(registry));
      const { stdout } = await cli('import', 'registry', file, '--json');
      expect(JSON.parse(stdout)).toEqual({
        imported: [{ name: fresh, template: 'buckets', port: NEW_PORT }],
        adopted: [{ name, template: 'buckets', port: OLD_PORT, container: old }],
        skipped: [],
      });

      const inst = (await api('GET', `/instances/${name}`)).body;
      expect(inst).toMatchObject({ status: 'running', desiredState: 'running', ports: { http: OLD_PORT } });
      const deps = (await api('GET', `/instances/${name}/deployments`)).body;
      expect(deps[0].handle.id).toBe(oldId);
      // No second copy: the old container is the only one on the port, berth started none of its own.
      expect(await publishing(OLD_PORT)).toEqual([`/${old}`]);
      expect(
        await d.listContainers({ all: true, filters: { label: [`berth.owner=${server!.berth.owner}`] } }),
      ).toEqual([]);
      expect(await answer(OLD_PORT)).toBe('old-system');
      const leases = server!.berth.store.leases.listByOwner(inst.id);
      expect(leases.map((l) => l.port)).toEqual([OLD_PORT]);
      expect((await api('GET', `/instances/${name}/preflight`)).body.canStart).toBe(true);

      // Logs and stats come from that container.
      const logs = (await api('GET', `/instances/${name}/logs?tail=20`)).body;
      expect(JSON.stringify(logs)).toContain('old system up');
      await until('a stats sample of the old container', async () => {
        const stats = (await api('GET', `/instances/${name}/stats`)).body;
        return stats.latest?.memoryBytes > 0 || undefined;
      });

      // The entry whose container does not run is a stopped instance that starts as any other.
      expect((await api('GET', `/instances/${fresh}`)).body.status).toBe('stopped');
      expect((await api('POST', `/instances/${fresh}/start?wait=1`)).status).toBe(200);
      expect(await answer(NEW_PORT)).toBe('berth-copy');
      await api('DELETE', `/instances/${fresh}`);

      // Importing again changes nothing.
      const again = await cli('import', 'registry', file);
      expect(again.stdout).toContain(`skipped ${name}: an instance with this name exists already`);
    });

    it('after a berth restart it is the same instance on the same container: no orphan, not started twice', async () => {
      await server!.close();
      server = undefined;
      await open();
      const s = server as unknown as RunningServer;
      expect((await api('GET', `/instances/${name}`)).body.status).toBe('running');
      expect(await s.berth.reconciler.findOrphans()).toEqual([]);
      expect((await api('GET', '/orphans')).body).toEqual([]);
      // Several ticks later: still that container, nothing deployed, one copy on the port.
      await new Promise((r) => setTimeout(r, 1_500));
      const inst = (await api('GET', `/instances/${name}`)).body;
      expect(inst.status).toBe('running');
      expect(
        (await api('GET', `/instances/${name}/deployments`)).body.map((x: Loose) => x.handle?.id),
      ).toEqual([oldId]);
      expect(await publishing(OLD_PORT)).toEqual([`/${old}`]);
      expect(
        await d.listContainers({ all: true, filters: { label: [`berth.owner=${s.berth.owner}`] } }),
      ).toEqual([]);
      const events = JSON.stringify((await api('GET', `/events?instance=${name}`)).body);
      expect(events).not.toContain('deploying');
    });

    it('stop stops that container; a start then runs a copy berth starts itself, on the same port', async () => {
      expect((await api('POST', `/instances/${name}/stop?wait=1`)).status).toBe(200);
      expect((await api('GET', `/instances/${name}`)).body.status).toBe('stopped');
      expect(await running(oldId)).toBe(false);
      expect((await api('POST', `/instances/${name}/start?wait=1`)).status).toBe(200);
      expect(await answer(OLD_PORT)).toBe('berth-copy');
      expect(await publishing(OLD_PORT)).toEqual([`/berth-${name}`]);
      expect(await running(oldId)).toBe(false);
    });

    it('restart and rm act on a taken-over container; a name without its port, a port without its name, or a berth-labelled one, is not taken', async () => {
      const second = `buckets_second_${tag}`;
      const secondId = await dockerRun(second, SECOND_PORT, 'second');
      const wrongPort = `buckets_moved_${tag}`;
      await dockerRun(wrongPort, MOVED_PORT, 'moved');
      const labelled = `buckets_labelled_${tag}`;
      await dockerRun(labelled, LABELLED_PORT, 'labelled', [
        '--label',
        'berth.managed=true',
        '--label',
        'berth.owner=another-home',
      ]);
      const res = await api('POST', '/import/service-registry', [
        { template: 'buckets', container_name: second, port: SECOND_PORT, instance_id: 'second' },
        { template: 'buckets', container_name: wrongPort, port: OFF_PORT, instance_id: 'moved' },
        { template: 'buckets', container_name: labelled, port: LABELLED_PORT, instance_id: 'labelled' },
        {
          template: 'buckets',
          container_name: `buckets_gone_${tag}`,
          port: LABELLED_PORT,
          instance_id: 'gone',
        },
      ]);
      expect(res.body.adopted).toEqual([
        { name: 'second', template: 'buckets', port: SECOND_PORT, container: second },
      ]);
      // A port alone is no match: a stopped instance, and the conflict flow names who holds the port.
      expect(res.body.imported).toEqual([{ name: 'gone', template: 'buckets', port: LABELLED_PORT }]);
      const pre = (await api('GET', '/instances/gone/preflight')).body;
      expect(pre.canStart).toBe(false);
      expect(pre.portConflicts[0].usedBy).toBe(`Docker container ${labelled}`);
      expect(res.body.skipped).toEqual([
        {
          name: 'moved',
          reason: expect.stringContaining(`publishes ${MOVED_PORT}/tcp, not ${OFF_PORT}/tcp`),
        },
        { name: 'labelled', reason: expect.stringContaining('belongs to a berth installation') },
      ]);
      expect((await api('GET', '/instances/moved')).status).toBe(404);

      // A restart stops the taken-over container and runs berth's copy in its place, on its port.
      expect((await api('POST', '/instances/second/restart?wait=1')).status).toBe(200);
      expect(await running(secondId)).toBe(false);
      expect(await answer(SECOND_PORT)).toBe('berth-copy');

      // rm of an instance still on its taken-over container removes that container.
      const third = `buckets_third_${tag}`;
      const thirdId = await dockerRun(third, THIRD_PORT, 'third');
      const file = join(env.home, 'third.json');
      const entry = { template: 'buckets', container_name: third, port: THIRD_PORT, instance_id: 'third' };
      await writeFile(file, JSON.stringify([entry]));
      const { stdout } = await cli('import', 'registry', file);
      expect(stdout.trim()).toBe(
        `adopted third (buckets, port ${THIRD_PORT}): running container ${third}, not started again`,
      );
      expect((await api('DELETE', '/instances/third')).status).toBe(204);
      await expect(d.getContainer(thirdId).inspect()).rejects.toMatchObject({ statusCode: 404 });
    });
  },
);
