// berth as a container (README "berth as a container"): the repository's Dockerfile built from
// the working tree, run the way compose.yml runs it (the host's network and Docker socket, a
// volume for BERTH_HOME, the non-root user given the socket's group), healthy by its own
// HEALTHCHECK, the UI answering, and an image template deployed through its API from inside it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, NODE, removeOwned } from './fixtures/docker-engine.js';
import { freePort, freePortPair, PORT_BLOCKS } from './port-blocks.js';
import { until } from './support.js';

const run = promisify(execFile);
const DOCKER_CLI = '/usr/bin/docker';
const SOCKET = '/var/run/docker.sock';
const root = fileURLToPath(new URL('..', import.meta.url));
const [FROM, TO] = PORT_BLOCKS['test/berth-container (its API + proxy, then its instance)'];
const TOKEN = 'berth-container-token';
const tag = `${process.pid}-${Date.now()}`;
const HELPER = `berth-test/berth-build-helper:${tag}`;
const IMAGE = `berth-test/berth:${tag}`;
const CONTAINER = `berth-container-test-${tag}`;
const VOLUME = `berth-container-test-${tag}`;
const INSTANCE = `incontainer-${tag}`;

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Loose = any;

const docker = await dockerForTests([NODE, BUSYBOX]);

/**
 * The build stage's image: berth-test/node:20 has no compiler and nothing can be downloaded from
 * GitHub here, so better-sqlite3's install script is given the binary this checkout built (the
 * same node, the same glibc) as the local prebuilt tarball its prebuild-install looks for first.
 */
async function buildHelper(): Promise<void> {
  const require = createRequire(join(root, 'package.json'));
  const pkg = require.resolve('better-sqlite3/package.json');
  const { version } = require(pkg) as { version: string };
  const ctx = await mkdtemp(join(tmpdir(), 'berth-build-helper-'));
  try {
    const release = join(ctx, 'pkg', 'build', 'Release');
    await mkdir(release, { recursive: true });
    await mkdir(join(ctx, 'prebuilds'));
    const binary = join(dirname(pkg), 'build', 'Release', 'better_sqlite3.node');
    await run('cp', [binary, release]);
    const tarball = `better-sqlite3-v${version}-node-v${process.versions.modules}-linux-${process.arch}.tar.gz`;
    await run('tar', ['-czf', join(ctx, 'prebuilds', tarball), '-C', join(ctx, 'pkg'), 'build']);
    // The web UI's build runs rollup's native binary, which needs libraries node does not (librt).
    const rollup = require.resolve('@rollup/rollup-linux-x64-gnu', { paths: [join(root, 'apps', 'web')] });
    const { stdout } = await run('ldd', [rollup]);
    for (const lib of stdout.match(/\/\S+/g) ?? []) {
      await mkdir(join(ctx, 'root', dirname(lib)), { recursive: true });
      await run('cp', ['-L', lib, join(ctx, 'root', lib)]);
    }
    await writeFile(join(ctx, 'Dockerfile'), `FROM ${NODE}\nCOPY root/ /\nCOPY prebuilds/ /prebuilds/\n`);
    await run(DOCKER_CLI, ['build', '-q', '-t', HELPER, ctx], { env: buildEnv() });
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
}

/** BuildKit: FROM a local image without a pull, and the layer cache kept outside the image list. */
function buildEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_BUILDKIT: '1' };
}

describe.skipIf(!docker)('berth as a container', () => {
  const d = docker as Dockerode;
  let apiPort = 0;
  let buildSeconds = 0;
  const api = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Loose }> => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    await buildHelper();
    const started = Date.now();
    await run(DOCKER_CLI, ['build', '-q', '--build-arg', `BUILD_IMAGE=${HELPER}`, '-t', IMAGE, root], {
      env: buildEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    buildSeconds = (Date.now() - started) / 1000;
    console.log(`berth-container: image built in ${buildSeconds.toFixed(0)} s`);
    apiPort = await freePortPair(FROM, FROM + 19);
    const socketGroup = (await stat(SOCKET)).gid;
    await d.createVolume({ Name: VOLUME });
    const container = await d.createContainer({
      name: CONTAINER,
      Image: IMAGE,
      Env: [
        'BERTH_HOST=127.0.0.1',
        `BERTH_PORT=${apiPort}`,
        `BERTH_PROXY_PORT=${apiPort + 1}`,
        `BERTH_ADMIN_TOKEN=${TOKEN}`,
      ],
      HostConfig: {
        NetworkMode: 'host',
        Init: true,
        GroupAdd: [String(socketGroup)],
        Binds: [`${SOCKET}:${SOCKET}`, `${VOLUME}:/data`],
      },
    });
    await container.start();
  }, 900_000);

  afterAll(async () => {
    // The instance's workload first (by the owner its container carries), then what this file made.
    const mine = await d.listContainers({ all: true, filters: { label: [`berth.instance=${INSTANCE}`] } });
    for (const owner of new Set(mine.map((c) => c.Labels['berth.owner']).filter(Boolean))) {
      await removeOwned(d, owner as string);
    }
    await d
      .getContainer(CONTAINER)
      .remove({ force: true, v: true })
      .catch(() => {});
    await d
      .getVolume(VOLUME)
      .remove()
      .catch(() => {});
    for (const image of [IMAGE, HELPER]) {
      await d
        .getImage(image)
        .remove()
        .catch(() => {});
    }
  }, 120_000);

  it('runs as the non-root user with BERTH_HOME as a volume', async () => {
    const info = await d.getImage(IMAGE).inspect();
    expect(info.Config.User).toBe('node');
    expect(Object.keys(info.Config.Volumes ?? {})).toEqual(['/data']);
    expect(info.Config.Healthcheck?.Test?.join(' ')).toContain('/api/v1/health');
  });

  it('becomes healthy by its own HEALTHCHECK, and the UI answers', async () => {
    const health = await until(
      'the container to be healthy',
      async () => {
        const state = (await d.getContainer(CONTAINER).inspect()).State;
        if (!state.Running) throw new Error(`berth's container stopped: exit ${state.ExitCode}`);
        const status = state.Health?.Status;
        return status === 'healthy' || status === 'unhealthy' ? status : undefined;
      },
      90_000,
    );
    expect(health).toBe('healthy');
    const ui = await fetch(`http://127.0.0.1:${apiPort}/`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    expect(await ui.text()).toContain('<title>berth</title>');
    expect((await api('GET', '/info')).status).toBe(200);
  }, 120_000);

  it('deploys an image template through its API from inside the container', async () => {
    const preferred = await freePort(FROM + 20, TO);
    const template = {
      name: `incontainer-httpd-${tag}`,
      source: {
        kind: 'image',
        image: BUSYBOX,
        command: [
          'sh',
          '-c',
          'mkdir -p /www && echo from-berth-in-a-container > /www/index.html && exec httpd -f -p 80 -h /www',
        ],
      },
      ports: [{ name: 'http', containerPort: 80, preferred, range: [FROM + 20, TO] }],
      stopTimeoutSeconds: 2,
    };
    const created = await api('POST', '/templates', template);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const instance = await api('POST', '/instances', { template: template.name, name: INSTANCE });
    expect([200, 201, 202], JSON.stringify(instance.body)).toContain(instance.status);
    const view = await until(
      'the instance to run',
      async () => {
        const v = (await api('GET', `/instances/${INSTANCE}`)).body;
        if (v?.status === 'error') throw new Error(`instance failed: ${v.errorMessage}`);
        return v?.status === 'running' ? v : undefined;
      },
      60_000,
    );
    const port = view.ports.http as number;
    expect(port).toBeGreaterThanOrEqual(FROM + 20);
    expect(port).toBeLessThanOrEqual(TO);
    const page = await until(
      'the instance to answer',
      () =>
        fetch(`http://127.0.0.1:${port}/`).then(
          (r) => r.text(),
          () => undefined,
        ),
      20_000,
    );
    expect(page.trim()).toBe('from-berth-in-a-container');
    // The workload is a sibling container on the host's engine, marked as this berth's.
    const mine = await d.listContainers({ filters: { label: [`berth.instance=${INSTANCE}`] } });
    expect(mine).toHaveLength(1);
    expect((await api('POST', `/instances/${INSTANCE}/stop`)).status).toBeLessThan(300);
    await until(
      'the instance to stop',
      async () => (await api('GET', `/instances/${INSTANCE}`)).body?.status === 'stopped',
      30_000,
    );
    expect((await api('DELETE', `/instances/${INSTANCE}`)).status).toBeLessThan(300);
  }, 120_000);
});
