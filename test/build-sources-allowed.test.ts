import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from './support.js';

const git = promisify(execFile);

/**
 * Issue 19 §8: `POST /builds/detect {"source":"/root"}` copied 2.4 GB into BERTH_HOME and left it
 * there; `/proc/self` gave a 500. Local sources are now allowed only under --allow-path /
 * BERTH_ALLOW_PATHS (none by default), detected in place, imports are capped, scratch folders
 * left by a previous run are removed at start-up, and every bad source is a 4xx.
 */
describe('build sources: allowed paths, caps, no leftovers', () => {
  let base: string;
  let allowed: string;
  let envOpen: Awaited<ReturnType<typeof tempHome>>;
  let envAllow: Awaited<ReturnType<typeof tempHome>>;
  let closed: RunningServer;
  let open: RunningServer;

  async function start(home: Awaited<ReturnType<typeof tempHome>>, env: Record<string, string>) {
    const config = loadServerConfig(
      { home: home.home, templates: home.templates, port: 0, proxyPort: 0, logLevel: 'silent' },
      { BERTH_ADMIN_TOKEN: 'test-token', ...env },
    );
    return startServer(config, { announce: false });
  }

  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  async function detect(server: RunningServer, source: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.apiUrl}/api/v1/builds/detect`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ source }),
    });
    return { status: res.status, body: await res.json() };
  }

  const buildsDir = (server: RunningServer) => join(server.berth.config.home, 'builds');
  const listing = (dir: string) => readdir(dir).catch(() => [] as string[]);

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'berth-sources-'));
    allowed = join(base, 'allowed');
    await cp(join(import.meta.dirname, 'fixtures', 'build-node-app'), join(allowed, 'node-app'), {
      recursive: true,
    });
    await writeFile(join(allowed, 'file.txt'), 'not a directory');
    execFileSync('mkfifo', [join(allowed, 'fifo')]);
    await mkdir(join(base, 'secret'));
    await symlink(join(base, 'secret'), join(allowed, 'escape'));
    // a git repository of 5 files under the allowed path, for the import cap
    const repo = join(allowed, 'repo');
    await mkdir(repo);
    for (const n of ['a', 'b', 'c', 'd', 'e']) await writeFile(join(repo, n), n);
    await git('git', ['init', '-q', repo]);
    await git('git', ['-C', repo, 'add', '.']);
    await git('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'x']);

    envOpen = await tempHome('sources-open');
    // what a previous run left: a detection's scratch folder, next to a build folder and a stranger
    await mkdir(join(envOpen.home, 'builds', 'detect-0a1b2c', 'src'), { recursive: true });
    await writeFile(join(envOpen.home, 'builds', 'detect-0a1b2c', 'src', 'big'), 'x'.repeat(1000));
    await mkdir(join(envOpen.home, 'builds', 'not-berths'), { recursive: true });
    open = await start(envOpen, {
      BERTH_ALLOW_PATHS: `${join(base, 'missing-root')}:${allowed}`,
      BERTH_IMPORT_MAX_FILES: '4',
    });
    envAllow = await tempHome('sources-closed');
    closed = await start(envAllow, {});
  });

  afterAll(async () => {
    await open?.close();
    await closed?.close();
    await envOpen?.cleanup();
    await envAllow?.cleanup();
    await rm(base, { recursive: true, force: true });
  });

  it('refuses every local path when none is allowed (the default), saying how to allow one', async () => {
    for (const source of [
      join(allowed, 'node-app'),
      '/root',
      '/proc/self',
      `file://${join(allowed, 'repo')}`,
    ]) {
      const r = await detect(closed, source);
      expect(r.status, source).toBe(403);
      expect(r.body.error.message, source).toMatch(/--allow-path/);
    }
    expect(await listing(buildsDir(closed))).toEqual([]);
  });

  it('detects an allowed directory in place: nothing is copied into BERTH_HOME', async () => {
    const r = await detect(open, join(allowed, 'node-app'));
    expect(r.status).toBe(200);
    expect(r.body.detection).toMatchObject({ stack: 'node', port: 3000 });
    expect(await listing(buildsDir(open))).toEqual(['not-berths']);
  });

  it('removed the scratch folders a previous run left, and only those', async () => {
    expect(await listing(buildsDir(open))).toEqual(['not-berths']);
  });

  it('answers 403 for paths outside the allowed ones and for /proc, /sys, /dev', async () => {
    for (const source of [
      join(allowed, 'escape'),
      join(allowed, '..', 'secret'),
      '/root',
      '/etc',
      '/proc/self',
      '/proc/self/cwd',
      '/sys',
      '/dev/shm',
      `file://${join(base, 'secret')}`,
    ]) {
      const r = await detect(open, source);
      expect(r.status, source).toBe(403);
      expect(r.body.error.code, source).toBe('SOURCE_PATH_NOT_ALLOWED');
    }
  });

  it('answers 400 naming the source for a file, a fifo, a missing path and a NUL', async () => {
    const cases: [string, RegExp][] = [
      [join(allowed, 'file.txt'), /is not a directory/],
      [join(allowed, 'fifo'), /is not a directory/],
      [join(allowed, 'missing'), /does not exist on the server/],
      [`${allowed}/a\u0000b`, /control characters/],
    ];
    for (const [source, why] of cases) {
      const r = await detect(open, source);
      expect(r.status, source).toBe(400);
      expect(r.body.error.message, source).toMatch(/^source: /);
      expect(r.body.error.message, source).toMatch(why);
    }
  });

  it('refuses an import over the cap with 400 naming it, and keeps nothing', async () => {
    const r = await detect(open, `file://${join(allowed, 'repo')}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('SOURCE_TOO_LARGE');
    expect(r.body.error.message).toMatch(/holds more than 4 files/);
    expect(await listing(buildsDir(open))).toEqual(['not-berths']);
  });
});
