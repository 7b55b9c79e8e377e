import type { BuildRecord, BuildService } from '@berth/builder';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDocker, buildServiceFor, fixtureCopy, httpText } from './build-support.js';
import { openBerth, tempHome } from './support.js';

/**
 * Issue 18's rules, built for real: a TypeScript project with no start script (group 1), an npm
 * workspace and a Turborepo whose app is built through the workspace or turbo (the turbo binary
 * comes from the registry's turbo-linux-64 package) and run from its folder, an Nx app built by
 * the target its serve target names (nx's linux-x64-gnu binary from the registry), the Python
 * service of a Turborepo chosen with --app and built from its own folder (group 2), and a
 * React Router v7 framework-mode app (group 6) — each from the Dockerfile berth plans, its
 * dependencies installed by npm in the build (base images mapped to the local ones), answering HTTP
 * on the host port the ledger gave it. Ports 10600–10699.
 */
const docker = await buildDocker();

describe.skipIf(!docker)('detection rules, built and run', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let builds: BuildService;
  const made: BuildRecord[] = [];

  beforeAll(async () => {
    home = await tempHome('build-detect-rules');
    berth = await openBerth(home.home, home.templates);
    builds = await buildServiceFor(berth, docker as Dockerode, [10600, 10699]);
  });

  afterAll(async () => {
    await builds?.close();
    for (const r of made) {
      if (r.instanceId) await berth.instances.remove(r.instanceId, { volumes: true }).catch(() => undefined);
      if (r.template)
        await Promise.resolve()
          .then(() => berth.templates.delete(r.template as string))
          .catch(() => undefined);
      await docker
        ?.getImage(r.image)
        .remove({ force: true })
        .catch(() => undefined);
    }
    await berth?.close();
    await home?.cleanup();
    // Each app removed waits for its container to stop (a Python server as PID 1 ignores SIGTERM).
  }, 180_000);

  async function deploy(
    fixture: string,
    name: string,
    app?: string,
  ): Promise<{ record: BuildRecord; port: number }> {
    const source = await fixtureCopy(fixture);
    const overrides = app === undefined ? {} : { app };
    const record = await builds.wait((await builds.create({ source, name, overrides })).id);
    made.push(record);
    expect(record.error, JSON.stringify(record.logs.slice(-20), null, 1)).toBeNull();
    expect(record.status).toBe('done');
    const port = berth.instances.ports(record.instanceId as string).http as number;
    expect(port).toBeGreaterThanOrEqual(10600);
    expect(port).toBeLessThanOrEqual(10699);
    return { record, port };
  }

  it('group 1: compiles an index.ts with the project’s own tsc (no start script, main only written by a build)', async () => {
    const { record, port } = await deploy('build-node-ts', 'node-ts');
    expect(record.detection).toMatchObject({
      stack: 'node',
      framework: null,
      port: 8080,
      start: ['node', '.berth/dist/index.js'],
    });
    expect(record.detection?.evidence.some((e) => /compiled with tsc/.test(e.reason))).toBe(true);
    expect(await httpText(port)).toEqual({ status: 200, body: 'typescript app, compiled by tsc\n' });
  }, 240_000);

  it('group 2: builds the app of an npm workspace through the workspace and runs it from its folder', async () => {
    const { record, port } = await deploy('build-npm-workspaces', 'workspace-app');
    expect(record.detection).toMatchObject({
      stack: 'node',
      build: [['npm', 'run', 'build', '--workspace=apps/server']],
      start: ['node', 'dist/server.js'],
      monorepo: { tool: 'package.json workspaces', app: 'apps/server' },
    });
    expect(await httpText(port)).toEqual({
      status: 200,
      body: 'hello from the workspace library, built by its workspace build, 1m\n',
    });
  }, 240_000);

  it('group 2: builds the app of a Turborepo through turbo run build --filter, then runs it from its folder', async () => {
    const { record, port } = await deploy('build-turborepo', 'turbo-app');
    expect(record.detection).toMatchObject({
      stack: 'node',
      framework: 'turborepo',
      build: [['node_modules/.bin/turbo', 'run', 'build', '--filter=server']],
      start: ['node', 'dist/server.js'],
      monorepo: { tool: 'turborepo', app: 'apps/server' },
    });
    expect(await httpText(port)).toEqual({
      status: 200,
      body: 'hello from the workspace library, built through turbo, 1m\n',
    });
  }, 240_000);

  it('group 2: builds an Nx app without a build target through the target its serve target names', async () => {
    const { record, port } = await deploy('build-nx', 'nx-app');
    expect(record.detection).toMatchObject({
      stack: 'node',
      framework: 'nx',
      build: [['node_modules/.bin/nx', 'run', 'api:build-app']],
      start: ['node', 'build/main.js'],
      monorepo: { tool: 'nx', app: 'apps/api' },
    });
    expect(await httpText(port)).toEqual({
      status: 200,
      body: 'hello from an Nx app, built by its build-app target\n',
    });
  }, 240_000);

  it('group 2: builds the Python service of a Turborepo asked for with --app from its folder, as Python', async () => {
    const { record, port } = await deploy('build-turborepo-python', 'turbo-python', 'api');
    expect(record.detection).toMatchObject({
      stack: 'python',
      start: ['python', 'app.py'],
      monorepo: { tool: 'turborepo', app: 'apps/api', context: 'apps/api' },
    });
    expect(record.logs.some((l) => l.message === "building from apps/api, the app's folder")).toBe(true);
    expect(await httpText(port)).toEqual({ status: 200, body: 'python service of a turborepo\n' });
  }, 240_000);

  it('group 6: builds a React Router v7 app with react-router build and serves it with react-router-serve', async () => {
    const { record, port } = await deploy('build-react-router', 'react-router');
    expect(record.detection).toMatchObject({
      stack: 'node',
      framework: 'react-router',
      port: 3000,
      start: ['node_modules/.bin/react-router-serve', './build/server/index.js'],
      staticDir: null,
    });
    const page = await httpText(port);
    expect(page.status).toBe(200);
    // Rendered on the server: the loader's data is in the HTML.
    expect(page.body).toContain('<h1>rendered by react-router on the server</h1>');
  }, 400_000);
});
