import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '@berth/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoTemplate, startTestServer, type TestServer } from './test-server.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [echoTemplate('echo', [24100, 24199])],
  });
});
afterAll(() => t?.close());

describe('auth', () => {
  it('lets anyone call health', async () => {
    expect(await t.api('GET', '/health', undefined, null)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('answers 401 without a token or with a bad one', async () => {
    for (const token of [null, 'wrong']) {
      const res = await t.api('GET', '/instances', undefined, token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('writes the admin token to BERTH_HOME with mode 0600 and stores only its hash', () => {
    const file = join(t.home, 'admin.token');
    expect(readFileSync(file, 'utf8').trim()).toBe(t.token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = t.server.berth.store.tokens.list();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.hash).not.toContain(t.token);
  });

  it('creates, lists and revokes tokens; a revoked token stops working', async () => {
    const created = await t.api('POST', '/tokens', { name: 'ci' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^berth_/);
    expect((await t.api('GET', '/version', undefined, created.body.secret)).status).toBe(200);
    const list = await t.api('GET', '/tokens');
    expect(list.body.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['admin', 'ci']));
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    expect(JSON.stringify(list.body)).not.toContain('hash');
    expect((await t.api('DELETE', `/tokens/${created.body.id}`)).status).toBe(204);
    expect((await t.api('GET', '/version', undefined, created.body.secret)).status).toBe(401);
    expect((await t.api('POST', '/tokens', {})).status).toBe(400);
  });
});

describe('system and nodes', () => {
  it('answers version, info and nodes', async () => {
    expect((await t.api('GET', '/version')).body).toMatchObject({
      name: 'berth',
      version: expect.any(String),
    });
    const info = await t.api('GET', '/info');
    expect(info.body).toMatchObject({
      dataDir: t.home,
      proxyPort: t.proxyPort,
      // docker and compose join these when a local engine answers
      runtimes: expect.arrayContaining([{ node: 'local', kind: 'process', sources: ['command'] }]),
    });
    expect((await t.api('GET', '/nodes')).body).toMatchObject([
      {
        name: 'local',
        kind: 'local',
        host: 'local',
        status: 'ready',
        runtimes: expect.arrayContaining(['process']),
      },
    ]);
  });

  it('adds nodes only of a kind a driver serves: another kind is 400 naming the field and listing the kinds', async () => {
    const res = await t.api('POST', '/nodes', { name: 'nomad-1', kind: 'nomad', config: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toMatchObject({
      field: 'kind',
      kinds: expect.arrayContaining(['docker']),
    });
    expect(res.body.error.details.kinds).not.toContain('local');
    expect(res.body.error.message).toMatch(/^kind must be one of .*docker.*; got 'nomad'$/);
    const local = await t.api('POST', '/nodes', { name: 'here', kind: 'local', config: {} });
    expect(local.status).toBe(400);
    expect((await t.api('GET', '/nodes')).body.map((n: { name: string }) => n.name)).toEqual(['local']);
  });

  it('serves OpenAPI JSON and the docs page without a token', async () => {
    const spec = (await (await fetch(`${t.apiUrl}/api/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/instances',
        '/api/v1/instances/{id}/port-override',
        '/api/v1/ports/free',
      ]),
    );
    expect((await fetch(`${t.apiUrl}/api/docs/`)).status).toBe(200);
  });
});

describe('templates', () => {
  const body = { ...echoTemplate('api-made', [24200, 24209]) };

  it('lists the folder templates and creates, reads, updates and deletes one', async () => {
    expect(
      (await t.api('GET', '/templates')).body.map((x: { template: { name: string } }) => x.template.name),
    ).toEqual(['echo']);
    expect((await t.api('POST', '/templates', body)).status).toBe(201);
    expect((await t.api('POST', '/templates', body)).status).toBe(409);
    expect((await t.api('GET', '/templates/api-made')).body).toMatchObject({ origin: 'api' });
    const updated = await t.api('PUT', '/templates/api-made', { ...body, description: 'changed' });
    expect(updated.body.template.description).toBe('changed');
    expect((await t.api('DELETE', '/templates/api-made')).status).toBe(204);
    expect((await t.api('GET', '/templates/api-made')).status).toBe(404);
  });

  it('names the field of a bad template body', async () => {
    const res = await t.api('POST', '/templates', { name: 'bad', source: { kind: 'command' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('body.source.command');
  });

  it('reloads the templates folder', async () => {
    const res = await t.api('POST', '/templates/reload');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ updated: [], unchanged: ['echo'], removed: [] });
  });

  it('reports a bad template file by file, field and reason, and changes nothing', async () => {
    const bad = join(t.home, 'templates', 'broken.yaml');
    writeFileSync(
      bad,
      'name: broken\nsource:\n  kind: command\nports:\n  - name: http\n    preferred: 99999\n',
    );
    const res = await t.api('POST', '/templates/reload');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_TEMPLATE');
    expect(res.body.error.message).toContain('broken.yaml');
    expect(res.body.error.message).toContain('source.command');
    expect(res.body.error.message).toContain('ports[0].preferred');
    unlinkSync(bad);
    expect(
      (await t.api('GET', '/templates')).body.map((x: { template: { name: string } }) => x.template.name),
    ).toEqual(['echo']);
  });

  it('refuses to delete a template that still has instances', async () => {
    const inst = await t.api('POST', '/instances', { template: 'echo', name: 'keeper', start: false });
    expect(inst.status).toBe(201);
    const res = await t.api('DELETE', '/templates/echo');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('TEMPLATE_IN_USE');
    expect((await t.api('DELETE', '/instances/keeper')).status).toBe(204);
  });
});

describe('instances', () => {
  it('creates and starts an instance with ?wait=1, with its ports and links', async () => {
    const res = await t.api('POST', '/instances?wait=1', { template: 'echo', name: 'one' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'one', status: 'running', desiredState: 'running' });
    const port = res.body.ports.http;
    expect(port).toBeGreaterThanOrEqual(24100);
    expect(res.body.url).toBe(`http://127.0.0.1:${port}/`);
    expect(res.body.proxyUrl).toBe(`http://one.localhost:${t.proxyPort}/`);
    expect(await (await fetch(res.body.url)).text()).toBe('hello from one /');
  });

  it('lists with filters and gets by name or id', async () => {
    const all = await t.api('GET', '/instances?template=echo&status=running&node=local');
    expect(all.body.map((i: { name: string }) => i.name)).toContain('one');
    expect((await t.api('GET', '/instances?status=stopped')).body).toEqual([]);
    const byName = await t.api('GET', '/instances/one');
    expect((await t.api('GET', `/instances/${byName.body.id}`)).body.name).toBe('one');
  });

  it('stops, starts, restarts and kills, waiting with ?wait=1', async () => {
    expect((await t.api('POST', '/instances/one/stop?wait=1')).body.status).toBe('stopped');
    expect((await t.api('POST', '/instances/one/start?wait=1')).body.status).toBe('running');
    expect((await t.api('POST', '/instances/one/restart?wait=1')).body.status).toBe('running');
    expect((await t.api('POST', '/instances/one/kill?wait=1')).body.status).toBe('stopped');
  });

  it('reports preflight, deployments and logs', async () => {
    // Each answer is in its assertion's message: this test failed once on a loaded machine and
    // its report did not say which answer differed.
    const pre = await t.api('GET', '/instances/one/preflight');
    expect(pre.body, JSON.stringify(pre.body)).toEqual({ canStart: true, portConflicts: [] });
    const deps = await t.api('GET', '/instances/one/deployments');
    expect(deps.body.length, JSON.stringify(deps.body)).toBeGreaterThanOrEqual(3);
    expect(deps.body[0]).toMatchObject({ runtime: 'process', node: 'local' });
    const logs = await t.api('GET', '/instances/one/logs?tail=10');
    expect(logs.status).toBe(200);
    expect(Array.isArray(logs.body)).toBe(true);
  });

  it('pins a port with port-override', async () => {
    const res = await t.api('POST', '/instances/one/port-override', { name: 'http', port: 24150 });
    expect(res.status).toBe(200);
    expect(res.body.ports.http).toBe(24150);
    expect(res.body.portOverrides).toEqual({ http: 24150 });
  });

  it('lists every change at once: the list body is reused only while the stored data stays the same', async () => {
    type Listed = { name: string; status: string; ports: { http: number }; errorMessage: string | null };
    const one = async () =>
      ((await t.api('GET', '/instances')).body as Listed[]).find((i) => i.name === 'one')!;
    const first = await t.api('GET', '/instances');
    expect((await t.api('GET', '/instances')).body).toEqual(first.body);
    expect((await one()).status).toBe('stopped');
    await t.api('POST', '/instances/one/start?wait=1');
    expect((await one()).status).toBe('running');
    await t.api('POST', '/instances/one/port-override', { name: 'http', port: 24151 });
    expect((await one()).ports.http).toBe(24151);
    expect((await t.api('GET', '/instances?status=running')).body.map((i: Listed) => i.name)).toEqual([
      'one',
    ]);
    // A write through another connection to the same database is seen too.
    const other = await SqliteStore.open(join(t.home, 'berth.db'));
    other.instances.update((await t.api('GET', '/instances/one')).body.id, {
      errorMessage: 'written elsewhere',
    });
    other.close();
    expect((await one()).errorMessage).toBe('written elsewhere');
    await t.api('POST', '/instances/one/kill?wait=1');
    expect((await one()).status).toBe('stopped');
  });

  it('answers 400 naming the field for bad bodies and queries', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/instances', { template: 42 }, 'body.template'],
      ['POST', '/instances', { template: 'echo', ports: { http: 'x' } }, 'body.ports.http'],
      ['POST', '/instances', { template: 'echo', extra: 1 }, 'extra'],
      ['POST', '/instances/one/port-override', { name: 'http', port: 70000 }, 'body.port'],
      ['GET', '/instances?status=sleeping', undefined, 'querystring.status'],
      ['GET', '/ports/free?count=0', undefined, 'querystring.count'],
      ['POST', '/ports/reservations', { port: 'x' }, 'body.port'],
      ['POST', '/instances', '{not json', 'body'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await t.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.message, `${method} ${path}`).toContain(field);
    }
  });

  it('answers 400 for an invalid name and an unknown port name', async () => {
    const bad = await t.api('POST', '/instances', { template: 'echo', name: 'Bad/Name' });
    expect(bad.status).toBe(400);
    const port = await t.api('POST', '/instances/one/port-override', { name: 'nope', port: 24160 });
    expect(port.status).toBe(400);
  });

  it('answers 404 for unknown ids, templates and routes', async () => {
    for (const [method, path] of [
      ['GET', '/instances/ghost'],
      ['POST', '/instances/ghost/start'],
      ['DELETE', '/instances/ghost'],
      ['GET', '/instances/ghost/preflight'],
      ['GET', '/templates/ghost'],
      ['GET', '/no-such-route'],
    ] as const) {
      const res = await t.api(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await t.api('POST', '/instances', { template: 'ghost' })).status).toBe(404);
  });

  it('a template that is not there: the answer lists the templates that are, in words and in details', async () => {
    for (const res of [
      await t.api('GET', '/templates/ech'),
      await t.api('POST', '/instances', { template: 'ech' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe("template 'ech' was not found; the templates are: echo");
      expect(res.body.error.details).toEqual({ what: 'template', id: 'ech', known: ['echo'] });
    }
  });

  it('deletes an instance', async () => {
    expect((await t.api('DELETE', '/instances/one')).status).toBe(204);
    expect((await t.api('GET', '/instances/one')).status).toBe(404);
  });
});

describe('ports', () => {
  it('finds free ports, reserves and releases one, and lists the inventory', async () => {
    const free = await t.api('GET', '/ports/free?host=local&count=3&from=24300&to=24399');
    expect(free.body.ports).toHaveLength(3);
    const port = free.body.ports[0];
    const reserved = await t.api('POST', '/ports/reservations', { port, note: 'for a test' });
    expect(reserved.status).toBe(201);
    expect(reserved.body).toMatchObject({ port, ownerKind: 'reservation' });
    expect((await t.api('POST', '/ports/reservations', { port })).status).toBe(409);
    const inventory = await t.api('GET', '/ports?host=local');
    expect(inventory.body).toContainEqual(expect.objectContaining({ port, ownerKind: 'reservation' }));
    expect(inventory.body).toContainEqual(
      expect.objectContaining({ port: Number(new URL(t.apiUrl).port), ownerKind: 'process' }),
    );
    expect((await t.api('DELETE', `/ports/reservations/${port}`)).status).toBe(204);
    expect((await t.api('GET', '/ports/free?count=1&from=24300&to=24399')).body.ports).toEqual([port]);
  });
});
