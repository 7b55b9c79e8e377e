import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import type Dockerode from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, labelsOf, removeOwned } from './fixtures/docker-engine.js';
import { PORT_BLOCKS } from './port-blocks.js';
import { tempHome, until, writeTemplate } from './support.js';

// Ports 9900–9949 belong to this file (test/port-blocks.ts); the API and proxy take ports the kernel picks.
const [LOW, HIGH] = PORT_BLOCKS['test/docker-cleanup'];
const run = promisify(execFile);
const cliMain = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const TOKEN = 'docker-cleanup-token';

const WEB = `name: cweb
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sh", "-c", "mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 80 -h /www"]
ports:
  - { name: http, containerPort: 80, range: [${LOW}, ${HIGH}] }
stopTimeoutSeconds: 2
`;

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Loose = any;

const docker = await dockerForTests([BUSYBOX]);

describe.skipIf(!docker)('berth cleanup: orphans, folders and leases of no instance', () => {
  const d = docker as Dockerode;
  let env: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;
  const outside = mkdtempSync(join(tmpdir(), 'berth-cleanup-outside-'));
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
  const running = (id: string) =>
    until(
      `${id} running`,
      async () => (await api('GET', `/instances/${id}`)).body.status === 'running' || undefined,
      30_000,
    );

  beforeAll(async () => {
    env = await tempHome('docker-cleanup');
    await writeTemplate(env.templates, 'cweb.yaml', WEB);
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
    rmSync(outside, { recursive: true, force: true });
  });

  it('lists what a removed instance left and a stray folder, removes exactly that list, never a kept instance’s', async () => {
    const keep = (await api('POST', '/instances?wait=1', { template: 'cweb', name: 'keep' })).body;
    const gone = (await api('POST', '/instances?wait=1', { template: 'cweb', name: 'gone' })).body;
    await running(keep.id);
    await running(gone.id);
    expect((await api('POST', `/instances/${gone.id}/stop?wait=1`)).status).toBe(200);
    await until(
      'gone stopped',
      async () => (await api('GET', `/instances/${gone.id}`)).body.status === 'stopped' || undefined,
    );
    const goneLeases = server.berth.store.leases.listByOwner(gone.id);
    expect(goneLeases.length).toBeGreaterThan(0);
    // The record goes, nothing else: a stopped container, its folders and its leases stay behind
    // (as a crash between the steps of a removal, or a database restored from a backup, leaves them).
    server.berth.store.instances.delete(gone.id);
    expect(server.berth.store.leases.listByOwner(gone.id).length).toBe(goneLeases.length);
    const stray = join(env.home, 'instances', 'cweb', 'stray');
    mkdirSync(stray, { recursive: true });
    writeFileSync(join(stray, 'f'), 'x');
    // A symlink under BERTH_HOME to a folder outside: never followed, never listed.
    writeFileSync(join(outside, 'precious'), 'keep me');
    symlinkSync(outside, join(env.home, 'instances', 'cweb', 'link'));

    const plan = await api('GET', '/cleanup');
    expect(plan.status).toBe(200);
    const items: Loose[] = plan.body.items;
    const kinds = items.map((i) => `${i.kind} ${i.instanceId ?? i.path}`);
    expect(kinds).toContain(`workload ${gone.id}`);
    expect(items.find((i) => i.kind === 'workload')).toMatchObject({ orphan: { running: false } });
    expect(kinds).toContain(`data-dir ${gone.dataDir}`);
    expect(kinds).toContain(`data-dir ${stray}`);
    expect(
      items
        .filter((i) => i.kind === 'lease')
        .map((i) => i.lease.port)
        .sort(),
    ).toEqual(goneLeases.map((l) => l.port).sort());
    expect(JSON.stringify(items)).not.toContain(keep.id);
    expect(JSON.stringify(items)).not.toContain(keep.dataDir);
    expect(JSON.stringify(items)).not.toContain(outside);
    expect(items.map((i) => i.path)).not.toContain(join(env.home, 'instances', 'cweb', 'link'));

    // The dry run (CLI) removes nothing.
    const shown = await cli('cleanup');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`would remove ${items.length} item`));
    expect(shown.stdout).toContain(stray);
    expect((await cli('cleanup', '--json')).stdout).toContain(gone.dataDir);
    expect(await labelsOf(d, gone.id)).toHaveLength(1);
    expect(existsSync(stray)).toBe(true);

    // Bad input names the field.
    const bad = await api('POST', '/cleanup', { items: 'all' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/items/);

    // Things change between the list and the removal: a folder appears, a listed item is gone.
    const late = join(env.home, 'instances', 'cweb', 'late');
    mkdirSync(late);
    const keys = [...items.map((i) => i.key), `data-dir:${join(env.home, 'instances', 'cweb', 'vanished')}`];
    const done = await api('POST', '/cleanup', { items: keys });
    expect(done.status).toBe(200);
    expect(done.body.failed).toEqual([]);
    expect(done.body.removed.map((i: Loose) => i.key).sort()).toEqual(items.map((i) => i.key).sort());
    expect(done.body.changed).toEqual([keys.at(-1)]);
    expect(done.body.notAsked.map((i: Loose) => i.path)).toEqual([late]);

    expect(await labelsOf(d, gone.id)).toEqual([]);
    expect(existsSync(gone.dataDir)).toBe(false);
    expect(existsSync(stray)).toBe(false);
    expect(existsSync(late)).toBe(true); // not asked for: left alone
    expect(server.berth.store.leases.listByOwner(gone.id)).toEqual([]);
    // The kept instance is untouched: running, its folder and leases in place; the outside folder too.
    expect((await api('GET', `/instances/${keep.id}`)).body.status).toBe('running');
    expect(existsSync(keep.dataDir)).toBe(true);
    expect(server.berth.store.leases.listByOwner(keep.id).length).toBeGreaterThan(0);
    expect(existsSync(join(outside, 'precious'))).toBe(true);

    // The CLI's --force removes what it showed: the late folder now.
    const forced = await cli('cleanup', '--force');
    expect(forced.code, forced.stdout).toBe(0);
    expect(forced.stdout).toMatch(/removed 1 item/);
    expect(existsSync(late)).toBe(false);
    expect((await cli('cleanup')).stdout).toMatch(/nothing to clean up/);
    expect((await api('GET', '/cleanup')).body).toEqual({ items: [] });
  });
});
