import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildRecord, BuildService } from '@berth/builder';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDocker, buildServiceFor, fixtureCopy } from './build-support.js';
import { openBerth, tempHome, until } from './support.js';

/** Builds that stop before the end — cancelled, timed out, failed — and what they leave. Ports 10700–10799. */
const docker = await buildDocker();

describe.skipIf(!docker)('builds that do not finish', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let builds: BuildService;
  let quick: BuildService;

  beforeAll(async () => {
    home = await tempHome('build-failures');
    berth = await openBerth(home.home, home.templates);
    builds = await buildServiceFor(berth, docker as Dockerode, [10700, 10799]);
    quick = await buildServiceFor(berth, docker as Dockerode, [10700, 10799], { buildTimeoutMs: 2_000 });
  });

  afterAll(async () => {
    await builds?.close();
    await quick?.close();
    await berth?.close();
    await home?.cleanup();
  });

  async function imageExists(ref: string): Promise<boolean> {
    return (docker as Dockerode)
      .getImage(ref)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  }

  async function runningStep(service: BuildService, id: string): Promise<BuildRecord> {
    return until(
      'the slow step',
      async () => {
        const r = await service.get(id);
        return r.logs.some((l) => l.message.includes('slow step starts')) ? r : undefined;
      },
      30_000,
    );
  }

  it('cancels a build midway: the request stops, no image is left, no template is made', async () => {
    const { id } = await builds.create({
      source: await fixtureCopy('build-slow-dockerfile'),
      name: 'slow-cancel',
    });
    const building = await runningStep(builds, id);
    expect(building.status).toBe('building');
    const started = Date.now();
    const cancelled = await builds.cancel(id);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.finishedAt).not.toBeNull();
    expect(await imageExists(cancelled.image)).toBe(false);
    expect(berth.templates.list().some((t) => t.template.name === 'slow-cancel')).toBe(false);
    await expect(builds.cancel(id)).rejects.toMatchObject({ code: 'BUILD_NOT_RUNNING' });
  });

  it('refuses a second app of a name while the first is still building', async () => {
    const source = await fixtureCopy('build-slow-dockerfile');
    const { id } = await builds.create({ source, name: 'same-name' });
    await expect(builds.create({ source, name: 'same-name' })).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    await builds.cancel(id);
  });

  it('stops a build that runs past its timeout, as BUILD_TIMEOUT with the last output lines', async () => {
    const { id } = await quick.create({
      source: await fixtureCopy('build-slow-dockerfile'),
      name: 'slow-timeout',
    });
    const r = await quick.wait(id);
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'BUILD_TIMEOUT' });
    expect(r.error?.details?.lastLines).toEqual(
      expect.arrayContaining([expect.stringContaining('slow step')]),
    );
    expect(await imageExists(r.image)).toBe(false);
  });

  it('reports a failing build with the engine message and its last lines; the repository Dockerfile is left as it was', async () => {
    const { id } = await builds.create({
      source: await fixtureCopy('build-failing-dockerfile'),
      name: 'broken',
    });
    const r = await builds.wait(id);
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('BUILD_FAILED');
    expect(r.error?.message).toMatch(/returned a non-zero code: 3/);
    expect(r.error?.details?.lastLines).toEqual(
      expect.arrayContaining([expect.stringContaining('configure: error: libfoo is missing')]),
    );
    expect(r.detection).toMatchObject({ stack: 'dockerfile', port: 8080 });
    expect(r.plan?.dockerfile).toBeNull();
    const dir = join(home.home, 'builds', id);
    expect(await readFile(join(dir, 'src', 'Dockerfile'), 'utf8')).toContain('FROM busybox:1.36\n');
    expect(await readFile(join(dir, 'Dockerfile.built'), 'utf8').catch(() => '')).toBe('');
    const stored = JSON.parse(await readFile(join(dir, 'build.json'), 'utf8')) as BuildRecord;
    expect(stored.status).toBe('failed');
    await builds.remove(id);
    await expect(builds.get(id)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(readFile(join(dir, 'build.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a source that is neither a path nor a git URL, naming the field', async () => {
    for (const source of ['-uoops', 'ext::sh -c touch% /tmp/pwned', 'ftp://example.com/repo.git']) {
      await expect(builds.create({ source })).rejects.toMatchObject({
        kind: 'invalid',
        details: { field: 'source' },
      });
    }
    await expect(builds.create({ source: '/no/such/dir', name: 'Bad Name' })).rejects.toMatchObject({
      details: { field: 'name' },
    });
    await expect(builds.create({ source: '/no/such/dir' })).rejects.toMatchObject({
      code: 'INVALID_SOURCE_PATH',
      details: { field: 'source' },
    });
  });

  it('marks builds that were under way when berth stopped as interrupted', async () => {
    const { id } = await builds.create({
      source: await fixtureCopy('build-failing-dockerfile'),
      name: 'cut-short',
    });
    const finished = await builds.wait(id);
    // What a berth killed mid-build leaves on disk: a record that says it is still building.
    const file = join(home.home, 'builds', id, 'build.json');
    await writeFile(file, JSON.stringify({ ...finished, status: 'building', error: null, finishedAt: null }));
    const next = await buildServiceFor(berth, docker as Dockerode, [10700, 10799]);
    expect(await next.recover()).toBe(1);
    expect(await next.get(id)).toMatchObject({
      status: 'failed',
      error: { code: 'INTERRUPTED', message: 'berth stopped while the build was building' },
    });
    expect(await next.recover()).toBe(0);
  });
});
