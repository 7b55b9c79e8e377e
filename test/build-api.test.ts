import { execFile } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGES, buildDocker, ensureDockerRuntime, fixtureCopy } from './build-support.js';
import { tempHome, until } from './support.js';

/** The builds API over HTTP: detection with evidence, validation, 202 and background work, cancel. */
const docker = await buildDocker();

describe.skipIf(!docker)('builds API', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;

  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: 'Bearer test-token',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    home = await tempHome('build-api');
    await writeFile(join(home.home, 'base-images.json'), JSON.stringify(BASE_IMAGES));
    const config = loadServerConfig(
      { home: home.home, templates: home.templates, port: 0, proxyPort: 0, logLevel: 'silent' },
      { BERTH_ADMIN_TOKEN: 'test-token', BERTH_ALLOW_PATHS: tmpdir() },
    );
    server = await startServer(config, { announce: false });
    await ensureDockerRuntime(server.berth, docker as Dockerode);
  });

  afterAll(async () => {
    await server?.close();
    await home?.cleanup();
  });

  it('detects a repository and shows the evidence and the Dockerfile it would build', async () => {
    const r = await api('POST', '/builds/detect', { source: await fixtureCopy('build-node-app') });
    expect(r.status).toBe(200);
    expect(r.body.name).toBe('build-node-app');
    expect(r.body.detection).toMatchObject({ stack: 'node', port: 3000, start: ['node', 'server.js'] });
    expect(r.body.detection.evidence).toEqual(
      expect.arrayContaining([{ file: 'package-lock.json', reason: 'lockfile of npm' }]),
    );
    expect(r.body.plan.dockerfile).toContain('RUN ["npm","ci"]');
    expect(r.body.plan).not.toHaveProperty('env');
  });

  it('detects the app of a monorepo asked for with app, in place, and plans it through the workspace', async () => {
    const source = await fixtureCopy('build-npm-workspaces');
    const chosen = await api('POST', '/builds/detect', { source, app: 'server' });
    expect(chosen.status).toBe(200);
    expect(chosen.body.detection.monorepo).toMatchObject({
      tool: 'package.json workspaces',
      app: 'apps/server',
    });
    expect(chosen.body.plan.dockerfile).toContain('RUN ["npm","run","build","--workspace=apps/server"]');
    const library = await api('POST', '/builds/detect', { source, app: 'greeting' });
    expect(library.body.detection.stack).toBeNull();
    expect(library.body.planError).toMatch(/packages\/greeting is not a deployable app/);
    const bad = await api('POST', '/builds/detect', { source, app: '../etc' });
    expect(bad.status).toBe(400);
  });

  it('detects a local repository given as a file:// URL (read in place from its objects), leaving no scratch folder', async () => {
    const repo = await fixtureCopy('build-npm-workspaces');
    const git = promisify(execFile);
    await git('git', ['init', '-q', repo]);
    await git('git', ['-C', repo, 'add', '.']);
    await git('git', [
      '-C',
      repo,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.com',
      'commit',
      '-q',
      '-m',
      'x',
    ]);
    const r = await api('POST', '/builds/detect', { source: pathToFileURL(repo).href });
    expect(r.status).toBe(200);
    expect(r.body.detection.monorepo).toMatchObject({ tool: 'package.json workspaces', app: 'apps/server' });
    expect(
      (await readdir(join(home.home, 'builds')).catch(() => [])).filter((f) => f.startsWith('detect-')),
    ).toEqual([]);
  });

  it('answers 400 naming the field for a bad source, name or body, and 404 for an unknown build', async () => {
    const badUrl = await api('POST', '/builds', { source: 'ftp://example.com/x.git' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error.message).toMatch(/^source: /);
    expect(badUrl.body.error.details).toEqual({ field: 'source' });
    const option = await api('POST', '/builds/detect', { source: '--upload-pack=touch /tmp/x' });
    expect(option.status).toBe(400);
    const name = await api('POST', '/builds', { source: '/srv/app', name: 'Bad Name' });
    expect(name.body.error.details).toEqual({ field: 'name' });
    const shape = await api('POST', '/builds', { source: '/srv/app', databases: ['oracle'] });
    expect(shape.status).toBe(400);
    expect(shape.body.error.message).toMatch(/databases/);
    expect((await api('GET', '/builds/nope1234')).status).toBe(404);
    expect((await api('POST', '/builds/nope1234/cancel')).status).toBe(404);
  });

  it('accepts a build with 202, reports its progress and logs, and cancels it', async () => {
    const created = await api('POST', '/builds', {
      source: await fixtureCopy('build-slow-dockerfile'),
      name: 'api-slow',
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      status: 'queued',
      image: `berth-build/api-slow:${created.body.id}`,
    });
    const id = created.body.id as string;
    const building = await until(
      'the slow step',
      async () => {
        const r = await api('GET', `/builds/${id}`);
        return r.body.logs.some((l: { message: string }) => l.message.includes('slow step starts'))
          ? r.body
          : undefined;
      },
      30_000,
    );
    expect(building.status).toBe('building');
    // FROM, RUN and CMD, and the classic builder's LABEL step for each build label.
    expect(building.totalSteps).toBe(5);
    const lastSeq = building.logs.at(-1).seq as number;
    const newer = await api('GET', `/builds/${id}?after=${lastSeq}`);
    expect(newer.body.logs.every((l: { seq: number }) => l.seq > lastSeq)).toBe(true);
    const list = await api('GET', '/builds');
    expect(list.body.map((b: { id: string }) => b.id)).toContain(id);
    expect(list.body[0]).not.toHaveProperty('logs');
    const cancelled = await api('POST', `/builds/${id}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect((await api('POST', `/builds/${id}/cancel`)).status).toBe(409);
  });

  it('streams a build as Server-Sent Events, from its first line to the one it ends with', async () => {
    const created = await api('POST', '/builds', {
      source: await fixtureCopy('build-slow-dockerfile'),
      name: 'api-follow',
    });
    const id = created.body.id as string;
    const res = await fetch(`${server.apiUrl}/api/v1/builds/${id}?follow=1`, {
      headers: { authorization: 'Bearer test-token', accept: 'text/event-stream' },
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: { seq: number; status: string; message: string }[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    let cancelled = false;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (const block of buffer.split('\n\n').slice(0, -1)) {
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)));
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
      if (!cancelled && events.some((e) => e.message.includes('slow step starts'))) {
        cancelled = true;
        await api('POST', `/builds/${id}/cancel`);
      }
    }
    expect(events[0]).toMatchObject({ seq: 1, status: 'importing' });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ status: 'cancelled', message: 'cancelled: cancelled by request' });
  });
});
