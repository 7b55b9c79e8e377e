import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBerth, tempHome, writeTemplate } from './support.js';

// Issue 15 §2 / 19 §6: a template field marked `secret` is sealed at rest with the keyring of
// secret.key, masked in every answer, event, log line and CLI output, and opened only for the workload.

const PLAIN = 'SUPERSECRET123';
const NEXT = 'REPLACED-SECRET-456';
const CLI = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Answers the sha256 of the APIKEY it was given (never the key itself) and its length. */
const SERVE_HASH = `const c=require('crypto');require('http').createServer((q,s)=>s.end(c.createHash('sha256').update(process.env.APIKEY||'').digest('hex')+' '+(process.env.APIKEY||'').length)).listen(process.env.PORT)`;

const TEMPLATE = [
  'name: sec',
  'source:',
  '  kind: command',
  `  command: ${JSON.stringify(process.execPath)}`,
  `  args: ["-e", ${JSON.stringify(SERVE_HASH)}]`,
  'ports:',
  '  - name: http',
  '    env: PORT',
  '    range: [26100, 26199]',
  'config:',
  '  apikey: { type: string, secret: true, env: APIKEY, required: true }',
  '  region: { type: string, default: eu }',
  'readiness: { kind: http, port: http, timeoutSeconds: 15 }',
  'stopTimeoutSeconds: 3',
  '',
].join('\n');

let env: Awaited<ReturnType<typeof tempHome>>;
let server: RunningServer;
const logLines: string[] = [];

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: 'Bearer secret-test-token',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

/** The bytes of the database as they are on disk: the main file and its write-ahead log. */
function databaseBytes(): string {
  return ['berth.db', 'berth.db-wal']
    .map((f) => join(env.home, f))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString('latin1'))
    .join('');
}

async function served(): Promise<string> {
  const inst = (await api('GET', '/instances/sec')).body;
  return (await fetch(`http://127.0.0.1:${inst.ports.http}/`)).text();
}

const cliEnv = () => ({
  ...process.env,
  BERTH_URL: server.apiUrl,
  BERTH_HOME: env.home,
  BERTH_TOKEN: 'secret-test-token',
});

function cli(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: cliEnv() }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The CLI with `input` on its stdin. */
function cliWithInput(input: string, ...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

beforeAll(async () => {
  env = await tempHome('secrets');
  await writeTemplate(env.templates, 'sec.yaml', TEMPLATE);
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const config = loadServerConfig(
    { home: env.home, templates: env.templates, port: 0, proxyPort: 0, logLevel: 'trace' },
    { BERTH_ADMIN_TOKEN: 'secret-test-token' },
  );
  server = await startServer(config, { announce: false, log: pino({ level: 'trace' }, sink), tickMs: 200 });
});

afterAll(async () => {
  for (const i of server?.berth.instances.list() ?? [])
    await server.berth.instances.remove(i.id).catch(() => {});
  await server?.close();
  await env?.cleanup();
});

describe('template config fields marked secret', () => {
  it('are sealed in the SQLite file, masked in every answer and passed in clear only to the workload', async () => {
    const created = await api('POST', '/instances?wait=1', {
      template: 'sec',
      name: 'sec',
      config: { apikey: PLAIN },
    });
    expect(created.status).toBe(201);
    expect(created.body.config).toEqual({ apikey: '••••', region: 'eu' });

    // The workload got the value itself.
    expect(await served()).toBe(`${sha(PLAIN)} ${PLAIN.length}`);

    // Every answer: the instance, the list, the events, the deployments.
    for (const path of ['/instances/sec', '/instances', '/events?limit=500', '/instances/sec/deployments']) {
      const res = await api('GET', path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain(PLAIN);
    }
    expect((await api('GET', '/instances/sec')).body.config.apikey).toBe('••••');

    // The file on disk holds it sealed, never in clear.
    const bytes = databaseBytes();
    expect(bytes).toContain('sealed:v1:');
    expect(bytes).not.toContain(PLAIN);

    // The CLI's JSON is an answer like any other.
    const ps = await cli('ps', '--json');
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toContain('••••');
    expect(ps.stdout).not.toContain(PLAIN);

    // And the server's own log lines, at trace level, never carry it.
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(PLAIN);
  });

  it('is replaced by a new value without being shown, and kept when sent back masked or left out', async () => {
    const kept = await api('PATCH', '/instances/sec/config', { config: { apikey: '••••', region: 'us' } });
    expect(kept.status).toBe(200);
    expect(kept.body.config).toEqual({ apikey: '••••', region: 'us' });
    await api('POST', '/instances/sec/restart?wait=1');
    expect(await served()).toBe(`${sha(PLAIN)} ${PLAIN.length}`);

    const replaced = await api('PATCH', '/instances/sec/config', { config: { apikey: NEXT } });
    expect(replaced.status).toBe(200);
    expect(replaced.text).not.toContain(NEXT);
    expect(replaced.body.config).toEqual({ apikey: '••••', region: 'us' });
    await api('POST', '/instances/sec/restart?wait=1');
    expect(await served()).toBe(`${sha(NEXT)} ${NEXT.length}`);

    const events = await api('GET', '/events?limit=500');
    expect(events.text).not.toContain(NEXT);
    expect(events.text).toContain('config changed: apikey');
    expect(databaseBytes()).not.toContain(NEXT);
  });

  it('refuses bad config changes with a 400 naming the field', async () => {
    const res = await api('PATCH', '/instances/sec/config', { config: { nope: 'x' } });
    expect(res.status).toBe(400);
    expect(res.text).toContain('config.nope');
    const masked = await api('POST', '/instances', {
      template: 'sec',
      name: 'sec2',
      config: { apikey: '••••' },
    });
    expect(masked.status).toBe(400);
    expect(masked.text).toContain('config.apikey is the mask');
    const cleared = await api('PATCH', '/instances/sec/config', { config: { apikey: null } });
    expect(cleared.status).toBe(400);
    expect(cleared.text).toContain('config.apikey is required');
  });

  it('stays usable after the keyring rotates: re-sealed with the new key, the old one gone', async () => {
    const before = server.berth.store.instances.findByName('sec')!.config.apikey;
    const rotated = await api('POST', '/integrations/rotate-key');
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ resealedInstances: 1 });
    const after = server.berth.store.instances.findByName('sec')!.config.apikey;
    expect(after).toMatch(/^sealed:v1:/);
    expect(after).not.toBe(before);
    // The key file holds only the new key, so the workload's value comes from the re-sealed blob.
    expect(readFileSync(join(env.home, 'secret.key'), 'utf8').trim().split('\n')).toHaveLength(1);
    await api('POST', '/instances/sec/restart?wait=1');
    expect(await served()).toBe(`${sha(NEXT)} ${NEXT.length}`);
    expect(databaseBytes()).not.toContain(NEXT);
  });
});

describe('berth config', () => {
  it('replaces a secret read from stdin, shows it masked, and refuses an unknown field', async () => {
    const THIRD = 'FROM-STDIN-789';
    const set = await cliWithInput(`${THIRD}\n`, 'config', 'sec', '--stdin', 'apikey', '--json');
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout).config).toEqual({ apikey: '••••', region: 'us' });
    expect(set.stdout + set.stderr).not.toContain(THIRD);
    const shown = await cli('config', 'sec');
    expect(shown.stdout).toContain('apikey=••••');
    await api('POST', '/instances/sec/restart?wait=1');
    expect(await served()).toBe(`${sha(THIRD)} ${THIRD.length}`);
    expect(databaseBytes()).not.toContain(THIRD);

    const rotated = await cli('integration', 'rotate-key');
    expect(rotated.stdout).toMatch(/re-sealed 0 integrations and 1 instances' secrets/);
    await api('POST', '/instances/sec/restart?wait=1');
    expect(await served()).toBe(`${sha(THIRD)} ${THIRD.length}`);

    const bad = await cli('config', 'sec', 'nope=x');
    expect(bad.code).toBe(2); // invalid input
    expect(bad.stderr).toContain('config.nope');
  });
});

describe('secret values stored in clear before', () => {
  it('are sealed when a template starts marking the field secret, and at start-up', async () => {
    const home = await tempHome('secrets-legacy');
    const legacy = (secret: boolean) =>
      TEMPLATE.replace('name: sec', 'name: legacy').replace('secret: true', `secret: ${secret}`);
    try {
      await writeTemplate(home.templates, 'legacy.yaml', legacy(false));
      let berth = await openBerth(home.home, home.templates);
      const made = await berth.instances.create({
        template: 'legacy',
        name: 'old',
        config: { apikey: PLAIN },
        start: false,
      });
      expect(made.config.apikey).toBe(PLAIN);

      await writeTemplate(home.templates, 'legacy.yaml', legacy(true));
      await berth.reloadTemplates();
      expect(berth.store.instances.findByName('old')!.config.apikey).toMatch(/^sealed:v1:/);

      // The same for a template saved through the API.
      const viaApi = (secret: boolean) => ({
        name: 'viaapi',
        source: { kind: 'command', command: process.execPath, args: ['-e', ''] },
        config: { apikey: { type: 'string', secret } },
      });
      berth.templates.create(viaApi(false));
      await berth.instances.create({
        template: 'viaapi',
        name: 'api1',
        config: { apikey: PLAIN },
        start: false,
      });
      expect(berth.store.instances.findByName('api1')!.config.apikey).toBe(PLAIN);
      berth.templates.update('viaapi', viaApi(true));
      expect(berth.store.instances.findByName('api1')!.config.apikey).toMatch(/^sealed:v1:/);

      // A row written by an older berth, in clear: sealed when berth opens the database.
      berth.store.instances.update(made.id, { config: { apikey: PLAIN, region: 'eu' } });
      await berth.close();
      berth = await openBerth(home.home, home.templates);
      try {
        const stored = berth.store.instances.findByName('old')!.config;
        expect(stored.apikey).toMatch(/^sealed:v1:/);
        expect(stored.region).toBe('eu');
      } finally {
        await berth.close();
      }
    } finally {
      await home.cleanup();
    }
  });
});
