import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import type Dockerode from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, removeOwned } from './fixtures/docker-engine.js';
import { tempHome, until, writeTemplate } from './support.js';

// Ports 11310–11399 belong to this file (the API and proxy listen on ports the kernel picks).
const run = promisify(execFile);
const cliMain = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const TOKEN = 'docker-api-token';

const VOLUMED = `name: vol
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sh", "-c", "mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 80 -h /www"]
  volumes: [{ target: /var/lib/vol, type: volume }]
ports:
  - { name: http, containerPort: 80, preferred: 11310, range: [11310, 11399] }
stopTimeoutSeconds: 2
`;

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Loose = any;

const docker = await dockerForTests([BUSYBOX]);

describe.skipIf(!docker)('nodes, orphans and gc through the API and the CLI', () => {
  const d = docker as Dockerode;
  let env: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;
  const api = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Loose }> => {
    const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const cli = (...args: string[]) =>
    run(process.execPath, [cliMain, ...args], {
      env: { ...process.env, BERTH_URL: server.apiUrl, BERTH_TOKEN: TOKEN },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout + e.stderr,
      }),
    );

  beforeAll(async () => {
    env = await tempHome('docker-api');
    await writeTemplate(env.templates, 'vol.yaml', VOLUMED);
    const config = loadServerConfig(
      { home: env.home, templates: env.templates, port: 0, proxyPort: 0 },
      { BERTH_ADMIN_TOKEN: TOKEN },
    );
    server = await startServer(config, { log: pino({ level: 'silent' }), announce: false, tickMs: 200 });
  });

  afterAll(async () => {
    if (server) {
      await removeOwned(d, server.berth.owner);
      await server.close();
    }
    await env?.cleanup();
  });

  it('adds a node, tests it (a specific reason), lists it and removes it', async () => {
    expect((await api('POST', '/nodes', { name: 'bad', config: { endpoint: 'http://x' } })).status).toBe(400);
    // Tested before it is added: a node that does not answer is refused, saying why…
    const refused = await api('POST', '/nodes', {
      name: 'closed',
      config: { endpoint: 'tcp://127.0.0.1:1' },
    });
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'NODE_UNREACHABLE' } } });
    expect(JSON.stringify(refused.body)).toMatch(/ECONNREFUSED.*force/);
    expect((await api('GET', '/nodes/closed')).status).toBe(404);
    // …unless forced: it is kept and shows as unreachable.
    const added = await api('POST', '/nodes?force=1', {
      name: 'closed',
      config: { endpoint: 'tcp://127.0.0.1:1' },
    });
    expect(added).toMatchObject({
      status: 201,
      body: { name: 'closed', kind: 'docker', status: 'unreachable' },
    });
    expect(
      (await api('POST', '/nodes', { name: 'closed', config: { endpoint: 'tcp://127.0.0.1:1' } })).status,
    ).toBe(409);
    expect((await api('POST', '/nodes/closed/test')).body).toMatchObject({ ok: false, reason: 'refused' });
    expect((await api('POST', '/nodes/local/test')).body).toMatchObject({ ok: true });
    expect((await api('GET', '/nodes')).body.map((n: { name: string }) => n.name)).toEqual([
      'local',
      'closed',
    ]);
    expect((await api('GET', '/nodes/nope')).status).toBe(404);

    const test = await cli('node', 'test', 'closed');
    expect(test.code).toBe(8);
    expect(test.stdout).toMatch(/closed: refused/);
    expect((await cli('node', 'ls')).stdout).toMatch(/closed\s+docker\s+unreachable\s+tcp:\/\/127.0.0.1:1/);
    expect((await cli('node', 'rm', 'closed')).code).toBe(0);
    expect((await api('GET', '/nodes/closed')).status).toBe(404);
    const refusedByCli = await cli('node', 'add', 'other', 'tcp://127.0.0.1:2');
    expect(refusedByCli.code).not.toBe(0);
    expect(refusedByCli.stdout).toMatch(/node other was not added: .*ECONNREFUSED.*--force/);
    expect((await cli('node', 'add', 'other', 'tcp://127.0.0.1:2', '--force')).stdout).toMatch(/unreachable/);
    expect((await api('DELETE', '/nodes/other')).status).toBe(204);
  });

  it('lists orphans and gc removes only them; rm --volumes removes the volume', async () => {
    const created = await api('POST', '/instances?wait=1', { template: 'vol' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const inst = created.body;
    await until(
      'vol running',
      async () => (await api('GET', `/instances/${inst.id}`)).body.status === 'running' || undefined,
    );
    const ghost = await d.createContainer({
      Image: BUSYBOX,
      Cmd: ['sleep', '3600'],
      Labels: { 'berth.managed': 'true', 'berth.owner': server.berth.owner, 'berth.instance-id': 'gone' },
      HostConfig: { Init: true },
    });
    try {
      expect((await api('GET', '/orphans')).body.map((o: { id: string }) => o.id)).toEqual([ghost.id]);
      expect((await cli('gc', '--dry-run')).stdout).toMatch(/would remove 1 orphan/);
      expect(await ghost.inspect()).toBeDefined();
      const gc = await api('POST', '/gc', {});
      expect(gc.body).toMatchObject({ dryRun: false, removed: [{ id: ghost.id }], failed: [] });
      await expect(ghost.inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await ghost.remove({ force: true }).catch(() => {});
    }
    const volumes = async () =>
      (await d.listVolumes({ filters: { label: [`berth.instance-id=${inst.id}`] } })).Volumes ?? [];
    expect(await volumes()).toHaveLength(1);
    expect((await cli('rm', '--volumes', inst.name)).code).toBe(0);
    expect(await volumes()).toEqual([]);
    expect((await api('GET', '/orphans')).body).toEqual([]);
  });
});
