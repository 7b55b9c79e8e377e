import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BuildRecord, BuildService } from '@berth/builder';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGES, buildDocker, buildServiceFor, fixtureCopy, httpText } from './build-support.js';
import { openBerth, tempHome } from './support.js';

/**
 * Real builds and runs through the Engine API: a Node app whose dependency npm installs from the
 * registry during the build, a static site, and a Python app on the standard library — each built
 * from the Dockerfile berth generates (base images mapped to local ones) and answering HTTP on the
 * host port the ledger gave it. Ports 10500–10599.
 */
const docker = await buildDocker();
const git = promisify(execFile);

describe.skipIf(!docker)('deploy from a repository', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let builds: BuildService;
  const made: BuildRecord[] = [];

  beforeAll(async () => {
    home = await tempHome('build-deploy');
    // berth's own runtimes (compose for the app + database) need the mapping too, not only the builder
    await writeFile(join(home.home, 'base-images.json'), JSON.stringify(BASE_IMAGES));
    berth = await openBerth(home.home, home.templates);
    // No layer cache: the npm install must really reach the registry in every run.
    builds = await buildServiceFor(berth, docker as Dockerode, [10500, 10599], { noCache: true });
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
  });

  async function deploy(fixture: string, name: string): Promise<{ record: BuildRecord; port: number }> {
    const queued = await builds.create({ source: await fixtureCopy(fixture), name });
    expect(queued.status).toBe('queued');
    const record = await builds.wait(queued.id);
    made.push(record);
    expect(record.error, JSON.stringify(record.logs.slice(-15), null, 1)).toBeNull();
    expect(record.status).toBe('done');
    const port = berth.instances.ports(record.instanceId as string).http as number;
    expect(port).toBeGreaterThanOrEqual(10500);
    expect(port).toBeLessThanOrEqual(10599);
    return { record, port };
  }

  it('builds a Node app, installing its npm dependency from the registry, and runs it', async () => {
    const { record, port } = await deploy('build-node-app', 'node-app');
    expect(record.detection).toMatchObject({ stack: 'node', port: 3000, packageManager: 'npm' });
    expect(record.mappedImages).toEqual({ 'node:20-slim': 'berth-test/node:20' });
    expect(record.logs.some((l) => l.message.includes('RUN ["npm","ci"]'))).toBe(true);
    expect(record.logs.some((l) => /added 1 package/.test(l.message))).toBe(true);
    expect(record.totalSteps).toBeGreaterThan(5);
    expect(await httpText(port)).toEqual({ status: 200, body: 'node app, one minute is 1m\n' });
    expect(berth.instances.get('node-app')).toMatchObject({ status: 'running', template: 'node-app' });
    await expect(builds.remove(record.id)).rejects.toMatchObject({ code: 'BUILD_IN_USE' });
  });

  it('builds a static site and serves it with busybox httpd as an unprivileged user', async () => {
    const { record, port } = await deploy('build-static-site', 'static-site');
    expect(record.detection).toMatchObject({ stack: 'static', port: 8080 });
    const page = await httpText(port);
    expect(page.status).toBe(200);
    expect(page.body).toContain('static site served by berth');
    expect((await httpText(port, '/style.css')).status).toBe(200);
    // The generated files are beside the source; the context excluded them from the image.
    expect((await httpText(port, '/.berth.Dockerfile')).status).toBe(404);
    expect((await httpText(port, '/.dockerignore')).status).toBe(404);
  });

  it('builds a Python app with no third-party dependencies and runs it', async () => {
    const { record, port } = await deploy('build-python-app', 'python-app');
    expect(record.detection).toMatchObject({ stack: 'python', port: 8000, start: ['python', 'app.py'] });
    expect(await httpText(port)).toEqual({ status: 200, body: 'python app\n' });
  });

  it('runs the app beside the database it asked for, as one compose project, its URL injected', async () => {
    const source = await fixtureCopy('build-node-redis');
    const queued = await builds.create({ source, name: 'node-redis', databases: ['redis'] });
    const record = await builds.wait(queued.id);
    made.push(record);
    expect(record.error, JSON.stringify(record.logs.slice(-15), null, 1)).toBeNull();
    expect(berth.templates.get('node-redis').template.source).toMatchObject({
      kind: 'compose',
      service: 'app',
    });
    const port = berth.instances.ports(record.instanceId as string).http as number;
    expect(port).toBeGreaterThanOrEqual(10500);
    const first = await httpText(port);
    expect(first).toMatchObject({ status: 200, body: expect.stringMatching(/^hits \d+\n$/) });
    const hits = Number(first.body.split(' ')[1]);
    // the count goes on (the image's HEALTHCHECK asks for / too, so it may have gone up by more)
    const again = Number((await httpText(port)).body.split(' ')[1]);
    expect(again).toBeGreaterThan(hits);
  });

  it('deploys from a git URL: a shallow clone, the app named after the repository', async () => {
    const repo = await fixtureCopy('build-python-app');
    const id = ['-c', 'user.name=berth', '-c', 'user.email=berth@localhost'];
    await git('git', ['init', '-q', repo]);
    await git('git', ['-C', repo, 'add', '.']);
    await git('git', ['-C', repo, ...id, 'commit', '-q', '-m', 'app']);
    const queued = await builds.create({ source: `file://${repo}` });
    expect(queued.name).toBe('build-python-app');
    const record = await builds.wait(queued.id);
    made.push(record);
    expect(record.status).toBe('done');
    // The log names the commit that was cloned, as the build record keeps it.
    const head = (await git('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim();
    const imported = record.logs.map((l) => l.message).filter((m) => m.startsWith('imported '));
    expect(imported).toEqual([`imported file://${repo} at ${head.slice(0, 12)}`]);
    const port = berth.instances.ports(record.instanceId as string).http as number;
    expect(await httpText(port)).toEqual({ status: 200, body: 'python app\n' });
  });

  it('redeploys: imports the source again, rebuilds, and restarts the same instance on the new image', async () => {
    const source = await fixtureCopy('build-static-site');
    const first = await builds.wait((await builds.create({ source, name: 'site-redeploy' })).id);
    made.push(first);
    expect(first.status).toBe('done');
    await writeFile(join(source, 'index.html'), '<p>second version</p>\n');
    await builds.redeploy(first.id);
    const second = await builds.wait(first.id);
    expect(second).toMatchObject({ status: 'done', attempt: 2, instanceId: first.instanceId });
    const port = berth.instances.ports(second.instanceId as string).http as number;
    expect((await httpText(port)).body).toBe('<p>second version</p>\n');
  });
});
