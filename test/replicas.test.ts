import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeKube } from '@berth/fake-kube';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests } from './fixtures/docker-engine.js';
import { tempHome, until, writeTemplate } from './support.js';

// Ports 24930–24939 and the NodePorts 31700–31749 belong to this file (test/port-blocks.ts).
const MAIN = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const IMAGE = 'berth-test/node:20';

const COMMAND = `name: cmd
source:
  kind: command
  command: ${JSON.stringify(process.execPath)}
  args: ["-e", "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)"]
ports:
  - { name: http, env: PORT, range: [24930, 24934] }
stopTimeoutSeconds: 2
`;
const COMMAND_3 = COMMAND.replace('name: cmd', 'name: cmd3').concat('replicas: 3\n');
const CONTAINER = `name: box
source: { kind: image, image: ${BUSYBOX}, command: ["sleep", "3600"] }
stopTimeoutSeconds: 1
`;
const KWEB = `name: kweb
source:
  kind: image
  image: ${IMAGE}
  command: ["node", "-e", "require('http').createServer((q, s) => s.end('hi from ' + process.env.BERTH_INSTANCE)).listen(8080)"]
ports:
  - { name: http, containerPort: 8080, preferred: 31700, range: [31700, 31749] }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
`;

/** A web service publishing its container port alone (the engine picks each container's host port) and a cache. */
const COMPOSE_SCALABLE = `services:
  web:
    image: ${BUSYBOX}
    init: true
    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports: ["80"]
  cache:
    image: ${BUSYBOX}
    init: true
    command: ["sleep", "3600"]
`;
/** The same web service on a host port berth leases: one port, so one container. */
const COMPOSE_LEASED = COMPOSE_SCALABLE.replace('ports: ["80"]', 'ports: ["${CF_PORT:-24935}:80"]');
const CWEB = `name: cweb
source: { kind: compose, file: compose/scalable.yml, service: web }
stopTimeoutSeconds: 1
`;
const CFIX = `name: cfix
source: { kind: compose, file: compose/leased.yml, service: web }
ports:
  - { name: http, env: CF_PORT, containerPort: 80, preferred: 24935, range: [24935, 24939] }
stopTimeoutSeconds: 1
`;

const docker = await dockerForTests([BUSYBOX]);
const kubeWhy = await FakeKube.unavailable([IMAGE]);
if (kubeWhy && process.env.BERTH_REQUIRE_DOCKER === '1')
  throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${kubeWhy}`);

let env: Awaited<ReturnType<typeof tempHome>>;
let server: RunningServer;

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Answer = { status: number; body: any };

async function api(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: 'Bearer test-token',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function berth(...args: string[]) {
  const cliEnv = { ...process.env, BERTH_URL: server.apiUrl, BERTH_TOKEN: 'test-token' };
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: cliEnv }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A 400 whose details name `replicas`, with the words it should say. */
function expectReplicasRefused(res: Answer, words: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.details).toMatchObject({ field: 'replicas' });
  expect(res.body.error.message).toMatch(words);
}

beforeAll(async () => {
  env = await tempHome('replicas');
  for (const [file, text] of [
    ['cmd.yaml', COMMAND],
    ['cmd3.yaml', COMMAND_3],
    ['box.yaml', CONTAINER],
    ['kweb.yaml', KWEB],
    ['cweb.yaml', CWEB],
    ['cfix.yaml', CFIX],
  ] as const)
    await writeTemplate(env.templates, file, text);
  // In a folder of its own: every YAML file of the templates folder is read as a template.
  await mkdir(join(env.templates, 'compose'), { recursive: true });
  await writeTemplate(join(env.templates, 'compose'), 'scalable.yml', COMPOSE_SCALABLE);
  await writeTemplate(join(env.templates, 'compose'), 'leased.yml', COMPOSE_LEASED);
  const config = loadServerConfig(
    { home: env.home, templates: env.templates, port: 0, proxyPort: 0, logLevel: 'silent' },
    { BERTH_ADMIN_TOKEN: 'test-token' },
  );
  server = await startServer(config, { announce: false, tickMs: 200 });
}, 60_000);

afterAll(async () => {
  for (const i of (await api('GET', '/instances')).body ?? []) await api('DELETE', `/instances/${i.id}`);
  await server?.close();
  await env?.cleanup();
}, 60_000);

describe('replicas where the node runs one workload per instance', () => {
  it('a command template on local: create with replicas 3 is a 400 naming replicas that says to create 3 instances', async () => {
    const res = await api('POST', '/instances', { template: 'cmd', name: 'c1', replicas: 3 });
    expectReplicasRefused(
      res,
      /^node local runs command templates with the process runtime, one workload per instance; replicas: 3 cannot be honoured — create 3 instances instead$/,
    );
    expectReplicasRefused(
      await api('POST', '/instances', { template: 'cmd3' }),
      /create 3 instances instead/,
    );
    expect((await api('GET', '/instances')).body).toEqual([]);
  });

  it('a bad count is a 400 naming replicas; scale of a process instance is refused and changes nothing', async () => {
    const zero = await api('POST', '/instances', { template: 'cmd', replicas: 0 });
    expect(zero.status).toBe(400);
    expect(JSON.stringify(zero.body.error)).toContain('replicas');
    const created = await api('POST', '/instances?wait=1', { template: 'cmd', name: 'c2' });
    expect(created.status).toBe(201);
    expect(created.body.replicas).toEqual({ desired: 1, running: 1, items: [] });
    expectReplicasRefused(
      await api('POST', '/instances/c2/scale', { replicas: 2 }),
      /create 2 instances instead/,
    );
    const bad = await api('POST', '/instances/c2/scale', { replicas: 'two' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('replicas');
    expect((await api('GET', '/instances/c2')).body.replicas).toEqual({ desired: 1, running: 1, items: [] });
    const cli = await berth('create', 'cmd', '--name', 'c3', '--replicas', '2');
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/replicas: 2 cannot be honoured — create 2 instances instead/);
    await api('DELETE', '/instances/c2');
  });

  it.skipIf(!docker)(
    'an image template on the local engine (one container): 400 naming replicas',
    async () => {
      const res = await api('POST', '/instances', { template: 'box', name: 'b1', replicas: 2, start: false });
      expectReplicasRefused(
        res,
        /^node local runs image templates with the docker runtime, .* create 2 instances instead$/,
      );
    },
  );
});

type ReplicaRow = {
  node: string;
  state: string;
  ports: { hostPort: number; containerPort: number | null }[];
};

describe.skipIf(!docker)('replicas of a compose template on the local engine', () => {
  it('a compose template whose scaled service publishes a leased host port: 400 naming replicas, the service and the port', async () => {
    const res = await api('POST', '/instances', { template: 'cfix', name: 'cf1', replicas: 2 });
    expectReplicasRefused(
      res,
      /^node local cannot run template cfix with replicas: 2: service web publishes the host port berth leases for \$\{CF_PORT\}, and one host port cannot be shared by 2 containers/,
    );
    expect((await api('GET', '/instances/cf1')).status).toBe(404);
    const one = await api('POST', '/instances', { template: 'cfix', name: 'cf2', start: false });
    expect(one.status, JSON.stringify(one.body)).toBe(201);
    expectReplicasRefused(
      await api('POST', '/instances/cf2/scale', { replicas: 3 }),
      /service web publishes/,
    );
    await api('DELETE', '/instances/cf2');
  });

  it('runs replicas 2 as two containers, each with its own host port in the API and the CLI; scales to 3 in place', async () => {
    const created = await api('POST', '/instances?wait=1', { template: 'cweb', name: 'cw', replicas: 2 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.replicas).toMatchObject({ desired: 2, running: 2 });
    const withPorts = (n: number) =>
      until(`${n} replicas, each with its host port`, async () => {
        const r = (await api('GET', '/instances/cw')).body.replicas;
        const rows: ReplicaRow[] = r.items;
        return r.running === n && rows.length === n && rows.every((x) => x.ports.length === 1)
          ? rows
          : undefined;
      });
    const two = await withPorts(2);
    expect(two.map((x) => [x.node, x.state, x.ports[0]!.containerPort])).toEqual([
      ['local', 'running', 80],
      ['local', 'running', 80],
    ]);
    const hosts = await Promise.all(
      two.map(async (x) => (await (await fetch(`http://127.0.0.1:${x.ports[0]!.hostPort}/`)).text()).trim()),
    );
    expect(new Set(hosts).size).toBe(2);

    const inspect = await berth('inspect', 'cw');
    expect(inspect.stdout.match(/^\s+\d+\s+local\s+running\s+\d+→80\/tcp$/gm)).toHaveLength(2);
    const json = JSON.parse((await berth('inspect', 'cw', '--json')).stdout);
    expect(json.replicas.items.map((x: ReplicaRow) => x.ports)).toEqual(two.map((x) => x.ports));

    const scaled = await api('POST', '/instances/cw/scale?wait=1', { replicas: 3 });
    expect(scaled.status, JSON.stringify(scaled.body)).toBe(200);
    expect(scaled.body.replicas).toMatchObject({ desired: 3, running: 3 });
    const three = await withPorts(3);
    // The two that ran keep running, on the ports they had.
    for (const x of two) expect(three.map((y) => y.ports[0]!.hostPort)).toContain(x.ports[0]!.hostPort);
    const ps = await berth('ps');
    expect(ps.stdout).toMatch(/cw\s+cweb\s+running 3\/3/);
    await api('DELETE', '/instances/cw');
  }, 120_000);
});

describe.skipIf(kubeWhy)('replicas on a kubernetes node (fake-kube)', () => {
  let kube: FakeKube;

  beforeAll(async () => {
    kube = await FakeKube.start({ backoffMs: 500 });
    await writeFile(join(env.home, 'kubeconfig'), kube.kubeconfig());
    const added = await api('POST', '/nodes', {
      name: 'kube',
      kind: 'kubernetes',
      config: { kubeconfig: join(env.home, 'kubeconfig') },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }, 60_000);

  afterAll(async () => {
    for (const i of (await api('GET', '/instances')).body ?? []) await api('DELETE', `/instances/${i.id}`);
    await kube?.close();
  }, 60_000);

  it('runs replicas: 2 from the create and shows 2/2 with each pod in the API and the CLI', async () => {
    const created = await api('POST', '/instances?wait=1', {
      template: 'kweb',
      name: 'kr',
      node: 'kube',
      replicas: 2,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.replicas).toMatchObject({ desired: 2, running: 2 });
    expect(created.body.replicas.items).toHaveLength(2);
    expect(created.body.replicas.items.every((r: { state: string }) => r.state === 'Running')).toBe(true);
    const listed = (await api('GET', '/instances')).body.find((i: { name: string }) => i.name === 'kr');
    expect(listed.replicas).toMatchObject({ desired: 2, running: 2 });
    const ps = await berth('ps', '--node', 'kube');
    expect(ps.stdout).toMatch(/kr\s+kweb\s+running 2\/2/);
  }, 120_000);

  it('scales 1 → 3 through the API, then to 2 through the CLI', async () => {
    const created = await api('POST', '/instances?wait=1', { template: 'kweb', name: 'ks', node: 'kube' });
    expect(created.body.replicas).toMatchObject({ desired: 1, running: 1 });
    const scaled = await api('POST', '/instances/ks/scale?wait=1', { replicas: 3 });
    expect(scaled.status, JSON.stringify(scaled.body)).toBe(200);
    expect(scaled.body.replicas).toMatchObject({ desired: 3, running: 3 });
    const port = scaled.body.ports.http;
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hi from ks');

    const cli = await berth('scale', 'ks', '2');
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(/replicas 2\/2 running/);
    const inspect = await berth('inspect', 'ks');
    // Each pod's row: its number, node, state and its host port (the NodePort → the container's).
    const rows = inspect.stdout.match(/^\s+\d+\s+\S+\s+Running\s+(\d+)→\d+\/tcp$/gm);
    expect(rows, inspect.stdout).toHaveLength(2);
    for (const row of rows ?? []) expect(row).toContain(`${port}→`);
    const seen = await until('the tick to report 2 of 2', async () => {
      const r = (await api('GET', '/instances/ks')).body.replicas;
      return r.running === 2 && r.items.length === 2 ? r : undefined;
    });
    expect(seen).toMatchObject({ desired: 2, running: 2 });
  }, 180_000);
});
