import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadServerConfig, type RunningServer, startServer } from '../src/index.js';

/**
 * Every route berth serves, with who may call it. A route added without a line here fails the
 * first test: decide its role, add it, and the sweep checks it with every role and every way of
 * spelling its path.
 */
const EXPECTED: Record<string, 'public' | 'metrics' | 'read' | 'operate' | 'admin'> = {
  'GET /*': 'public',
  'GET /api/docs': 'public',
  'GET /api/docs/static/index.html': 'public',
  'GET /api/docs/static/swagger-initializer.js': 'public',
  'GET /api/docs/json': 'public',
  'GET /api/docs/yaml': 'public',
  'GET /api/docs/static/*': 'public',
  'GET /api/openapi.json': 'public',
  // Prometheus' scrape target: any token, the least a metrics token that can do nothing else.
  'GET /metrics': 'metrics',
  'GET /api/v1/health': 'public',
  'POST /api/v1/session': 'public',
  'GET /api/v1/session': 'read',
  'DELETE /api/v1/session': 'read',
  'GET /api/v1/version': 'read',
  'GET /api/v1/info': 'read',
  'GET /api/v1/templates': 'read',
  'GET /api/v1/templates/:name': 'read',
  'POST /api/v1/templates': 'admin',
  'PUT /api/v1/templates/:name': 'admin',
  'DELETE /api/v1/templates/:name': 'admin',
  'POST /api/v1/templates/reload': 'admin',
  // A template's versions: installed or not, who pins them. Install and remove change this machine.
  'GET /api/v1/templates/:name/versions': 'read',
  'POST /api/v1/templates/:name/versions/:version/install': 'admin',
  'DELETE /api/v1/templates/:name/versions/:version': 'admin',
  'POST /api/v1/instances': 'admin',
  'GET /api/v1/instances': 'read',
  'GET /api/v1/instances/:id': 'read',
  'POST /api/v1/instances/:id/start': 'operate',
  'POST /api/v1/instances/:id/stop': 'operate',
  'POST /api/v1/instances/:id/restart': 'operate',
  'POST /api/v1/instances/:id/kill': 'operate',
  'DELETE /api/v1/instances/:id': 'admin',
  // Bulk start/stop/restart/kill: operate, as one instance's; rm checks for admin in the handler
  // (bulk-actions.test.ts), as DELETE /instances/:id does.
  'POST /api/v1/instances/actions': 'operate',
  'GET /api/v1/instances/:id/preflight': 'read',
  // The YAML berth would apply (berth export): never a secret's value, so read.
  'GET /api/v1/instances/:id/manifest': 'read',
  'GET /api/v1/templates/:name/manifest': 'read',
  'POST /api/v1/instances/:id/port-override': 'operate',
  // More or fewer copies of what already runs, as a restart would: nothing new is run.
  'POST /api/v1/instances/:id/scale': 'operate',
  'GET /api/v1/instances/:id/deployments': 'read',
  'PATCH /api/v1/instances/:id/config': 'admin',
  // An edit changes what runs (config, env, ports, node), as a create does.
  'PATCH /api/v1/instances/:id': 'admin',
  // Runs the spec an admin stored, as a restart would: nothing new is run.
  'POST /api/v1/instances/:id/apply': 'operate',
  // Runs an older spec again (an old secret an admin replaced, say): an admin's decision.
  'POST /api/v1/instances/:id/rollback': 'admin',
  'GET /api/v1/instances/:id/logs': 'read',
  'GET /api/v1/instances/:id/stats': 'read',
  'GET /api/v1/nodes': 'read',
  'POST /api/v1/nodes': 'admin',
  'GET /api/v1/nodes/:name': 'read',
  'PATCH /api/v1/nodes/:name': 'admin',
  'DELETE /api/v1/nodes/:name': 'admin',
  'POST /api/v1/nodes/:name/test': 'admin',
  'POST /api/v1/nodes/test': 'admin',
  'GET /api/v1/orphans': 'read',
  'POST /api/v1/gc': 'admin',
  // What berth cleanup would remove; removing it is an admin's (orphans, folders, leases of no instance).
  'GET /api/v1/cleanup': 'read',
  'POST /api/v1/cleanup': 'admin',
  'GET /api/v1/ports': 'read',
  'GET /api/v1/ports/free': 'read',
  'POST /api/v1/ports/reservations': 'admin',
  'DELETE /api/v1/ports/reservations/:port': 'admin',
  // The global and reserved ranges (issue 16 §6): changing them changes every future lease.
  'GET /api/v1/settings/ports': 'admin',
  'PUT /api/v1/settings/ports': 'admin',
  'GET /api/v1/tokens': 'admin',
  'POST /api/v1/tokens': 'admin',
  'DELETE /api/v1/tokens/:id': 'admin',
  'GET /api/v1/integrations/types': 'read',
  'GET /api/v1/integrations': 'read',
  'POST /api/v1/integrations': 'admin',
  'POST /api/v1/integrations/test': 'admin',
  'GET /api/v1/integrations/:id': 'read',
  'GET /api/v1/integrations/:id/results': 'read',
  'PUT /api/v1/integrations/:id': 'admin',
  'PATCH /api/v1/integrations/:id': 'admin',
  'DELETE /api/v1/integrations/:id': 'admin',
  'POST /api/v1/integrations/:id/test': 'admin',
  'POST /api/v1/integrations/:id/scan': 'admin',
  'POST /api/v1/integrations/rotate-key': 'admin',
  // Channels hold secrets (webhook URLs with tokens, SMTP passwords): admin only, reads too.
  'GET /api/v1/notifications/channels': 'admin',
  'POST /api/v1/notifications/channels': 'admin',
  'GET /api/v1/notifications/channels/:name': 'admin',
  'PUT /api/v1/notifications/channels/:name': 'admin',
  'DELETE /api/v1/notifications/channels/:name': 'admin',
  'POST /api/v1/notifications/channels/:name/test': 'admin',
  'POST /api/v1/import/legacy-settings': 'admin',
  'POST /api/v1/import/service-registry': 'admin',
  'POST /api/v1/builds/detect': 'admin',
  'POST /api/v1/builds': 'admin',
  'GET /api/v1/builds': 'read',
  'GET /api/v1/builds/:id': 'read',
  'POST /api/v1/builds/:id/redeploy': 'admin',
  'DELETE /api/v1/builds/:id': 'admin',
  'POST /api/v1/builds/:id/cancel': 'admin',
  'GET /api/v1/host/stats': 'read',
  'GET /api/v1/events': 'read',
  'GET /api/v1/ws': 'read',
};

const ROLES = ['metrics', 'read', 'operate', 'admin'] as const;
type Role = (typeof ROLES)[number];
const RANK: Record<Role, number> = { metrics: 0, read: 1, operate: 2, admin: 3 };

let server: RunningServer;
let home: string;
const secrets = {} as Record<Role, string>;
let port: number;

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A request whose path goes on the wire exactly as written (fetch would normalise it). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    // A dropped connection is an answer too (status 0), so the sweep can name the path that got it.
    req.on('error', (err) => resolve({ status: 0, body: String(err), headers: {} }));
    req.end(body);
  });
}

function call(method: string, path: string, token?: string, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...extra };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (!['GET', 'HEAD', 'DELETE'].includes(method)) {
    headers['content-type'] = 'application/json';
    body = '{}';
  }
  return raw(method, path, headers, body);
}

function errorCode(a: Answer): string | undefined {
  try {
    return JSON.parse(a.body)?.error?.code;
  } catch {
    return undefined;
  }
}

/** `/api/v1/instances/:id/stop` with something in each parameter. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+/g, 'sweep-missing').replace(/\*$/, 'index.html');
}

const enc = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** The ways a path can be spelled that a router or a proxy may take for the same route. */
function variants(path: string): string[] {
  const segs = path.split('/').slice(1);
  const join = (s: string[]) => `/${s.join('/')}`;
  const each = (f: (seg: string) => string) =>
    segs.map((_, i) => join(segs.map((s, j) => (i === j && s ? f(s) : s))));
  const out = [
    ...each((s) => `${enc(s[0] ?? '')}${s.slice(1)}`), // %61pi
    ...each((s) => `${enc(s[0] ?? '').toUpperCase()}${s.slice(1)}`), // %6A, upper-case hex
    ...each((s) => [...s].map(enc).join('')), // every character encoded
    ...each((s) => `%25${enc(s[0] ?? '').slice(1)}${s.slice(1)}`), // double encoding: %2561pi
    ...each((s) => s.toUpperCase()),
    ...each((s) => `${(s[0] ?? '').toUpperCase()}${s.slice(1)}`),
    ...each((s) => `${s};x`),
    ...each((s) => `${s}.`),
    ...each((s) => `${s}%2e`),
    ...each((s) => `${s}%00`),
    ...segs.map((_, i) => join([...segs.slice(0, i), '', ...segs.slice(i)])), // //
    ...segs.map((_, i) => join([...segs.slice(0, i), '.', ...segs.slice(i)])), // /./
    ...segs.map((_, i) => join([...segs.slice(0, i), 'x', '..', ...segs.slice(i)])), // /x/../
    ...segs.map((_, i) => join([...segs.slice(0, i), '%2e', ...segs.slice(i)])), // /%2e/
    `/${segs.join('%2f')}`,
    `/${segs.join('%2F')}`,
    `\\${segs.join('\\')}`,
    `${path}/`,
    `${path}?x=1`,
    `${path}#x`,
  ];
  return [...new Set(out)].filter((v) => v !== path);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'berth-sweep-'));
  // The UI's files are served too, as in production: their routes are part of the sweep.
  const webDist = join(home, 'web');
  mkdirSync(webDist);
  writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>berth</title>');
  const config = loadServerConfig(
    { home, port: 0, proxyPort: 0, logLevel: 'silent', webDist },
    { BERTH_ADMIN_TOKEN: 'sweep-admin-token' },
  );
  server = await startServer(config, { announce: false });
  port = server.apiPort;
  secrets.admin = 'sweep-admin-token';
  secrets.metrics = server.berth.tokens.create('sweep-metrics', 'metrics').secret;
  secrets.read = server.berth.tokens.create('sweep-read', 'read').secret;
  secrets.operate = server.berth.tokens.create('sweep-operate', 'operate').secret;
});

afterAll(async () => {
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

function routes() {
  const seen = new Map<string, string>();
  for (const r of server.app.routeAccess) {
    if (r.method === 'HEAD') continue;
    seen.set(`${r.method} ${r.url}`, r.auth);
  }
  return seen;
}

describe('route sweep', () => {
  it('every route has a line in this sweep, with the access rule the server applies', () => {
    expect(Object.fromEntries(routes())).toEqual(EXPECTED);
  });

  it('every route of the OpenAPI document is in the sweep', async () => {
    const doc = JSON.parse((await raw('GET', '/api/openapi.json')).body) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const listed = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(listed.length).toBeGreaterThan(50);
    for (const op of listed) expect(EXPECTED, op).toHaveProperty([op]);
  });

  it('answers each route by role: 401 without a token, 403 below its role, never refused at or above it', async () => {
    const failures: string[] = [];
    for (const [route, need] of Object.entries(EXPECTED)) {
      const [method = 'GET', url = '/'] = route.split(' ');
      const path = concrete(url);
      const anon = await call(method, path);
      if (need === 'public' ? anon.status === 401 || anon.status >= 500 : anon.status !== 401) {
        failures.push(`${route} without a token: ${anon.status}`);
      }
      if (need === 'public') continue;
      for (const role of ROLES) {
        const a = await call(method, path, secrets[role]);
        const refused = a.status === 403 && errorCode(a) === 'ROLE_REQUIRED';
        const allowed = RANK[role] >= RANK[need];
        if (a.status === 401 || a.status >= 500 || refused === allowed) {
          failures.push(`${route} as ${role}: ${a.status} ${errorCode(a) ?? ''}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('no spelling of a private path gets past the door: encoded, double-encoded, case, //, /./, ;, dots', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const [route, need] of Object.entries(EXPECTED)) {
      if (need === 'public') continue;
      const [method = 'GET', url = '/'] = route.split(' ');
      for (const v of variants(concrete(url))) {
        const anon = await call(method, v);
        sent++;
        // Node's HTTP parser itself refuses a backslash in a path (400) before any route is looked up.
        const refused = anon.status === 401 || (v.startsWith('\\') && anon.status === 400);
        if (!refused) failures.push(`${method} ${v} without a token: ${anon.status}`);
        if (need === 'admin') {
          const read = await call(method, v, secrets.read);
          sent++;
          if (![403, 404, ...(v.startsWith('\\') ? [400] : [])].includes(read.status))
            failures.push(`${method} ${v} as read: ${read.status}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(1500);
    expect(failures).toEqual([]);
  });

  it('the examples from the report: encoded paths neither list nor mint tokens, nor stop instances', async () => {
    expect((await call('GET', '/%61pi/v1/tokens')).status).toBe(401);
    expect((await call('POST', '/%61pi/v1/tokens')).status).toBe(401);
    expect((await call('POST', '/%61pi/v1/templates')).status).toBe(401);
    expect((await call('POST', '/api/v1/instances/x/st%6fp')).status).toBe(401);
    expect(
      (await call('GET', '/%61pi/v1/events?follow=1', undefined, { accept: 'text/event-stream' })).status,
    ).toBe(401);
  });
});

describe('session cookie', () => {
  const origin = () => `http://127.0.0.1:${port}`;

  it('signs in with a token into an HttpOnly, SameSite=Strict cookie limited to /api', async () => {
    const a = await raw(
      'POST',
      '/api/v1/session',
      { 'content-type': 'application/json', origin: origin() },
      JSON.stringify({ token: secrets.operate }),
    );
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toMatchObject({ name: 'sweep-operate', role: 'operate' });
    const cookie = String(a.headers['set-cookie']);
    expect(cookie).toMatch(/^berth_session=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/api');
    expect(
      (await raw('POST', '/api/v1/session', { 'content-type': 'application/json' }, '{"token":"no"}')).status,
    ).toBe(401);
    const elsewhere = await raw(
      'POST',
      '/api/v1/session',
      { 'content-type': 'application/json', origin: 'http://evil.example' },
      JSON.stringify({ token: secrets.admin }),
    );
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers['set-cookie']).toBeUndefined();
  });

  it('takes the cookie for reads, and for writes only from its own origin (CSRF)', async () => {
    const cookie = `berth_session=${secrets.operate}`;
    expect(JSON.parse((await raw('GET', '/api/v1/session', { cookie })).body)).toMatchObject({
      role: 'operate',
    });
    const stop = (headers: Record<string, string>) =>
      raw('POST', '/api/v1/instances/nope/stop', { cookie, ...headers });
    expect((await stop({})).status).toBe(403); // no Origin on a write
    expect((await stop({ origin: 'http://127.0.0.1:1' })).status).toBe(403); // another port is another origin
    expect((await stop({ origin: 'null' })).status).toBe(403);
    expect((await stop({ origin: origin(), 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await stop({ origin: origin(), 'sec-fetch-site': 'same-origin' })).status).toBe(404); // through the door
    expect((await raw('GET', '/api/v1/instances', { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(
      403,
    );
    // The role still applies to a cookie.
    expect((await raw('GET', '/api/v1/tokens', { cookie })).status).toBe(403);
  });

  it('signs out by clearing the cookie', async () => {
    const a = await raw('DELETE', '/api/v1/session', {
      cookie: `berth_session=${secrets.read}`,
      origin: origin(),
    });
    expect(a.status).toBe(204);
    expect(String(a.headers['set-cookie'])).toMatch(/^berth_session=;.*Max-Age=0/);
  });
});

describe('WebSocket', () => {
  function open(path: string, opts: WebSocket.ClientOptions = {}, protocols?: string[]) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, opts);
    return new Promise<{ opened: boolean; code?: number }>((resolve) => {
      let opened = false;
      ws.on('open', () => {
        opened = true;
        ws.send(JSON.stringify({ type: 'events' }));
      });
      ws.on('message', (m) => {
        if (String(m).includes('subscribed')) {
          ws.close(1000);
        }
      });
      ws.on('close', (code) => resolve({ opened, code }));
      ws.on('error', () => resolve({ opened, code: undefined }));
      ws.on('unexpected-response', (_req, res) => resolve({ opened: false, code: res.statusCode }));
    });
  }

  it('refuses a socket without a token, with a foreign origin cookie, or on an encoded path', async () => {
    expect((await open('/api/v1/ws')).code).toBe(4003);
    expect((await open('/api/v1/ws?token=wrong')).code).toBe(4003);
    const cookie = `berth_session=${secrets.read}`;
    expect((await open('/api/v1/ws', { headers: { cookie, origin: 'http://evil.example' } })).code).toBe(
      4003,
    );
    expect((await open('/api/v1/ws', { headers: { cookie } })).code).toBe(4003); // a cookie needs an Origin
    expect((await open('/%61pi/v1/ws', { headers: { authorization: 'Bearer wrong' } })).opened).toBe(false);
  });

  it('lets a token (header, query, subprotocol) or a same-origin cookie subscribe', async () => {
    expect(await open('/api/v1/ws', { headers: { authorization: `Bearer ${secrets.read}` } })).toEqual({
      opened: true,
      code: 1000,
    });
    expect((await open(`/api/v1/ws?token=${secrets.read}`)).code).toBe(1000);
    expect((await open('/api/v1/ws', {}, ['bearer', secrets.read])).code).toBe(1000);
    const cookie = `berth_session=${secrets.read}`;
    expect((await open('/api/v1/ws', { headers: { cookie, origin: `http://127.0.0.1:${port}` } })).code).toBe(
      1000,
    );
  });
});

describe('token storage', () => {
  it('stores a keyed hash, not the SHA-256 of the secret, and upgrades a token an older berth stored', async () => {
    const stored = server.berth.store.tokens.list().find((t) => t.name === 'sweep-read');
    const sha = createHash('sha256').update(secrets.read).digest('hex');
    expect(stored?.hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(stored?.hash).not.toContain(sha);

    const legacySecret = 'berth_legacy-token-from-an-older-version';
    server.berth.store.tokens.insert({
      id: 'legacy-1',
      name: 'legacy',
      hash: createHash('sha256').update(legacySecret).digest('hex'),
      role: 'read',
      createdAt: Date.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
    // The service reads its token list once; a fresh one sees the inserted row.
    const { TokenService, loadTokenKey } = await import('../src/token-service.js');
    const fresh = new TokenService(server.berth.store.tokens, { now: () => Date.now() }, loadTokenKey(home));
    expect(fresh.verify(legacySecret).name).toBe('legacy');
    expect(server.berth.store.tokens.find('legacy-1')?.hash).toMatch(/^hmac-sha256:/);
    expect(fresh.verify(legacySecret).name).toBe('legacy');
  });
});
