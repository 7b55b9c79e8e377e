import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { type Berth, loadServerConfig, type RunningServer, startServer } from '@berth/server';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, helloTemplate, openBerth, tempHome, until, writeTemplate } from './support.js';

// Filling a disk for real needs a small tmpfs, and mounting one needs root (CI runs as root).
const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.BERTH_REQUIRE_DOCKER === '1') {
  throw new Error('BERTH_REQUIRE_DOCKER=1 but the disk-full test needs root to mount a tmpfs');
}

/** Writes a filler file until the disk answers ENOSPC. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 16, 512]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Empties berth's WAL into the database file (waiting out readers), so that any next write must
 * grow the WAL: on a full disk, every write then fails instead of reusing frames already there.
 */
async function emptyWal(file: string): Promise<void> {
  const db = new Database(file);
  try {
    await until('an empty WAL', () => {
      const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return r?.busy === 0;
    });
  } finally {
    db.close();
  }
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!isRoot)('a full disk under BERTH_HOME', () => {
  const mnt = mkdtempSync(join(tmpdir(), 'berth-disk-full-'));
  const home = join(mnt, 'home');
  const filler = join(mnt, 'filler');
  const flag = join(mkdtempSync(join(tmpdir(), 'berth-disk-full-flag-')), 'healthy');
  const logLines: Record<string, unknown>[] = [];
  let server: RunningServer;
  let base: string;
  let running: { id: string; port: number; pid: number; deployment: string };
  /** A token never used yet: its first use wants to record a last-used time. */
  let freshReader: string;

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        authorization: 'Bearer test-token',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read bodies loosely
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  }

  beforeAll(async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]);
    mkdirSync(join(home, 'templates'), { recursive: true });
    writeFileSync(join(home, 'templates', 'full.yaml'), helloTemplate('full', 11000));
    // Healthy while the flag file (off the full disk) exists: its health changes while writes fail.
    writeFileSync(flag, '');
    writeFileSync(
      join(home, 'templates', 'checked.yaml'),
      helloTemplate('checked', 11200).replace(
        'health:\n  http: { port: http, path: / }',
        `health:\n  command: [test, -f, ${flag}]\n  intervalSeconds: 0.2\n  retries: 1`,
      ),
    );
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
        done();
      },
    });
    const config = loadServerConfig({ home, port: 0, proxyPort: 0 }, { BERTH_ADMIN_TOKEN: 'test-token' });
    server = await startServer(config, { announce: false, log: pino({ level: 'info' }, sink), tickMs: 200 });
    base = server.apiUrl;
    const a = await api('POST', '/instances?wait=1', { template: 'full', name: 'full-a' });
    expect(a.status).toBe(201);
    const b = await api('POST', '/instances', { template: 'full', name: 'full-b', start: false });
    expect(b.status).toBe(201);
    expect((await api('POST', '/instances?wait=1', { template: 'checked', name: 'checked-1' })).status).toBe(
      201,
    );
    await until(
      'checked-1 healthy',
      async () => (await api('GET', '/instances/checked-1')).body.health === 'healthy',
    );
    const [dep] = (await api('GET', '/instances/full-a/deployments')).body;
    running = { id: a.body.id, port: a.body.ports.http, pid: Number(dep.handle.id), deployment: dep.id };
    expect(await get(running.port)).toBe('hello');
    freshReader = server.berth.tokens.create('fresh-reader', 'read').secret;
    await emptyWal(join(home, 'berth.db'));
    fillDisk(filler);
  });

  afterAll(async () => {
    try {
      await server?.close(true);
    } finally {
      try {
        execFileSync('umount', ['-l', mnt]);
      } finally {
        rmSync(mnt, { recursive: true, force: true });
        rmSync(dirname(flag), { recursive: true, force: true });
      }
    }
  });

  /** 507 with a sentence that says what is wrong and what to do; never a 500 or a 200. */
  function expectFull(res: { status: number; body: { error?: { code?: string; message?: string } } }) {
    expect(res.status).toBe(507);
    expect(res.body.error?.code).toBe('STORAGE_FULL');
    expect(res.body.error?.message).toMatch(
      /^berth could not save this change: the disk holding its database .* is full; free some space/,
    );
  }

  /** What the API shows: each instance's state and leased ports, and how many events there are. */
  async function world() {
    const list = (await api('GET', '/instances')).body as Record<string, unknown>[];
    const events = (await api('GET', '/events?limit=1000')).body as unknown[];
    return {
      instances: list
        .map((i) => ({ name: i.name, status: i.status, desiredState: i.desiredState, ports: i.ports }))
        .sort((x, y) => String(x.name).localeCompare(String(y.name))),
      events: events.length,
    };
  }

  it('answers 507 for every write, and none of them changes the world', async () => {
    const before = await world();
    expect(before.instances.map((i) => `${i.name}:${i.status}`)).toEqual([
      'checked-1:running',
      'full-a:running',
      'full-b:stopped',
    ]);

    expectFull(await api('POST', '/instances?wait=1', { template: 'full', name: 'full-c' }));
    expectFull(await api('POST', '/instances/full-b/start?wait=1'));
    expectFull(await api('POST', '/instances/full-a/stop?wait=1'));
    expectFull(await api('POST', '/instances/full-a/restart?wait=1'));
    expectFull(await api('POST', '/instances/full-a/kill?wait=1'));
    expectFull(await api('DELETE', '/instances/full-a'));
    expectFull(await api('POST', '/instances/full-a/port-override', { name: 'http', port: 11_050 }));

    // A few reconciler ticks, and a health check turning bad whose result cannot be recorded:
    // nothing berth does on its own may act on a write that failed, nor fall over on it.
    rmSync(flag);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(pidRuns(running.pid)).toBe(true);
    expect(await get(running.port)).toBe('hello');
    const after = await world();
    expect(after).toEqual(before);
    const [dep] = (await api('GET', '/instances/full-a/deployments')).body;
    expect(dep.id).toBe(running.deployment);
  });

  it('still answers reads, even for a token whose last-used time cannot be recorded', async () => {
    const res = await fetch(`${base}/api/v1/instances`, {
      headers: { authorization: `Bearer ${freshReader}` },
    });
    expect(res.status).toBe(200);
  });

  it('logs the failure with its cause, under ns store', () => {
    const line = logLines.find((l) => l.ns === 'store' && l.code === 'SQLITE_FULL');
    expect(line).toMatchObject({ level: 50, msg: expect.stringMatching(/could not save this change/) });
  });

  it('works again once there is space', async () => {
    unlinkSync(filler);
    await until(
      'checked-1 seen unhealthy',
      async () => (await api('GET', '/instances/checked-1')).body.health !== 'healthy',
    );
    expect((await api('POST', '/instances/full-a/stop?wait=1')).status).toBe(200);
    await until('the process to be gone', () => !pidRuns(running.pid));
    const b = await api('POST', '/instances/full-b/start?wait=1');
    expect(b.status).toBe(200);
    expect(b.body.status).toBe('running');
    expect(await get(b.body.ports.http)).toBe('hello');
    expect(
      (await api('POST', '/instances/full-a/port-override', { name: 'http', port: 11_050 })).status,
    ).toBe(200);
    expect((await api('POST', '/instances?wait=1', { template: 'full', name: 'full-c' })).status).toBe(201);
    expect((await api('DELETE', '/instances/full-c')).status).toBe(204);
    const names = ((await api('GET', '/instances')).body as { name: string }[]).map((i) => i.name).sort();
    expect(names).toEqual(['checked-1', 'full-a', 'full-b']);
  });
});

/**
 * Writes the reconciler makes around a deploy, made to fail by a trigger in the real database (the
 * way a disk filling up between two writes would): the failure that stopped the deploy is what is
 * reported, and a workload whose start could not be recorded is not left running unrecorded.
 */
describe('a deploy whose records cannot be written', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let db: Database.Database;

  beforeAll(async () => {
    env = await tempHome('unrecorded');
    await writeTemplate(env.templates, 'unrec.yaml', helloTemplate('unrec', 11100));
    berth = await openBerth(env.home, env.templates);
    db = new Database(join(env.home, 'berth.db'));
  });

  afterAll(async () => {
    db?.close();
    await berth?.close();
    await env?.cleanup();
  });

  it('reports the failed deployment insert itself, not a NotFound from cleaning up after it', async () => {
    const inst = await berth.instances.create({ template: 'unrec', name: 'unrec-1', start: false });
    db.exec(`CREATE TRIGGER no_deployments BEFORE INSERT ON deployments
      BEGIN SELECT RAISE(ABORT, 'injected: the deployment could not be written'); END`);
    try {
      await expect(berth.instances.start(inst.name, { wait: true })).rejects.toThrow(
        /injected: the deployment could not be written/,
      );
      expect(berth.instances.get(inst.name).status).toBe('error');
    } finally {
      db.exec('DROP TRIGGER no_deployments');
      await berth.instances.stop(inst.name, { wait: true });
    }
  });

  it('stops a workload whose start could not be recorded instead of leaving it running unknown', async () => {
    const inst = await berth.instances.create({ template: 'unrec', name: 'unrec-2', start: false });
    const port = berth.instances.ports(inst.id).http!;
    db.exec(`CREATE TRIGGER no_handles BEFORE UPDATE OF handle ON deployments WHEN NEW.handle IS NOT NULL
      BEGIN SELECT RAISE(ABORT, 'injected: the handle could not be written'); END`);
    try {
      await expect(berth.instances.start(inst.name, { wait: true })).rejects.toThrow(/injected: the handle/);
      await expect(get(port)).rejects.toThrow();
      expect(berth.instances.get(inst.name).status).toBe('error');
    } finally {
      db.exec('DROP TRIGGER no_handles');
    }
    // Once the records can be written again, a start works.
    await berth.instances.start(inst.name, { wait: true });
    expect(await get(port)).toBe('hello');
  });
});
