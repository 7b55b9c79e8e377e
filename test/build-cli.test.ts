import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGES, buildDocker, ensureDockerRuntime, fixtureCopy, httpText } from './build-support.js';
import { tempHome } from './support.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'apps', 'cli', 'dist', 'main.js');

/** `berth detect` and `berth deploy` against a running server, as a person would type them. Ports 10400–10499. */
const docker = await buildDocker();

describe.skipIf(!docker)('berth detect / deploy', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;
  let env: NodeJS.ProcessEnv;

  async function berth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  beforeAll(async () => {
    home = await tempHome('build-cli');
    await writeFile(join(home.home, 'base-images.json'), JSON.stringify(BASE_IMAGES));
    const config = loadServerConfig(
      { home: home.home, templates: home.templates, port: 0, proxyPort: 0, logLevel: 'silent' },
      { BERTH_ADMIN_TOKEN: 'cli-token', BERTH_ALLOW_PATHS: tmpdir(), BERTH_BUILD_PORTS: '10400-10499' },
    );
    server = await startServer(config, { announce: false });
    await ensureDockerRuntime(server.berth, docker as Dockerode);
    env = { ...process.env, BERTH_URL: server.apiUrl, BERTH_TOKEN: 'cli-token' };
  });

  afterAll(async () => {
    for (const i of server?.berth.instances.list() ?? []) await server.berth.instances.remove(i.id);
    for (const b of (await server?.berth.builds.list()) ?? [])
      await docker
        ?.getImage(b.image)
        .remove({ force: true })
        .catch(() => undefined);
    await server?.close();
    await home?.cleanup();
  });

  it('detect prints the stack, evidence, commands and port; --json gives the detection', async () => {
    const source = await fixtureCopy('build-python-app');
    const human = await berth('detect', source);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^stack\s+python$/m);
    expect(human.stdout).toMatch(/^evidence\s+app\.py: entry file$/m);
    expect(human.stdout).toMatch(/^start\s+python app\.py$/m);
    expect(human.stdout).toMatch(/^port\s+8000 \(the app reads \$PORT\)$/m);
    const json = JSON.parse((await berth('detect', source, '--json')).stdout);
    expect(json.detection).toMatchObject({ stack: 'python', port: 8000 });
  });

  it('deploy builds and runs the app, printing plain progress lines when not on a terminal', async () => {
    const r = await berth('deploy', await fixtureCopy('build-static-site'), '--name', 'cli-site', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Step 1\/\d+ : FROM berth-test\/busybox:latest$/m);
    const { build, instance } = JSON.parse(r.stdout);
    expect(build.status).toBe('done');
    const port = instance.ports.http as number;
    expect(port).toBeGreaterThanOrEqual(10400);
    expect(port).toBeLessThanOrEqual(10499);
    expect((await httpText(port)).body).toContain('static site served by berth');
    const list = await berth('builds');
    expect(list.stdout).toMatch(new RegExp(`^${build.id}\\s+cli-site\\s+done\\s+static\\s+1\\s`, 'm'));
  });

  it('exits with the code of the error kind: 2 for a bad source, 5 for a taken name, 6 for a failed build', async () => {
    expect((await berth('deploy', 'ftp://example.com/x.git')).code).toBe(2);
    expect((await berth('deploy', await fixtureCopy('build-static-site'), '--name', 'cli-site')).code).toBe(
      5,
    );
    const failed = await berth(
      'deploy',
      await fixtureCopy('build-failing-dockerfile'),
      '--name',
      'cli-broken',
    );
    expect(failed.code).toBe(6);
    expect(failed.stderr).toMatch(/berth: the build of berth-build\/cli-broken:\w+ failed/);
  });
});
