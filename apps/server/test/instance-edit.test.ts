import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/port-blocks.js';
import { startTestServer, type TestServer } from './test-server.js';

// Ports 23700–23799 belong to this file (test/port-blocks.ts).
const RANGE: [number, number] = [23700, 23799];

/** Answers with its GREETING, TOKEN and EXTRA, so a test sees which spec runs. */
const template = {
  name: 'greeter',
  source: {
    kind: 'command',
    command: process.execPath,
    args: [
      '-e',
      "require('http').createServer((q,r)=>r.end([process.env.GREETING,process.env.TOKEN,process.env.EXTRA].join(' ').trim())).listen(process.env.PORT)",
    ],
  },
  ports: [{ name: 'http', env: 'PORT', preferred: RANGE[0], range: RANGE }],
  config: {
    greeting: { type: 'string', default: 'hi', env: 'GREETING' },
    workers: { type: 'number', default: 1 },
    token: { type: 'string', secret: true, env: 'TOKEN', default: 'one' },
  },
  readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
};

let t: TestServer;
let outsider: Server | undefined;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [template] });
});
afterAll(async () => {
  outsider?.close();
  await t?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
function fieldsOf(body: any): string[] {
  const d = body.error?.details ?? {};
  const issues = (d.issues ?? []) as { field: string }[];
  return [d.field, ...issues.map((i) => i.field)]
    .filter(Boolean)
    .map((f: string) => f.replace(/^body\./, ''));
}

const answer = async (name: string) => {
  const inst = await t.api('GET', `/instances/${name}`);
  return (await fetch(inst.body.url)).text();
};

describe('PATCH /instances/:id, apply and rollback', () => {
  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const created = await t.api('POST', '/instances?wait=1', { template: 'greeter', name: 'bad' });
    expect(created.status).toBe(201);
    const before = (await t.api('GET', '/instances/bad')).body;
    const cases: [unknown, string][] = [
      [{ config: { workers: 'many' } }, 'config.workers'],
      [{ config: { greeting: 'x' }, env: { '1X': 'a' } }, 'env.1X'],
      [{ env: { OK: 'y' }, ports: { nope: 23750 } }, 'ports.nope'],
      [{ env: { OK: 'y' }, replicas: 0 }, 'replicas'],
      [{ env: { OK: 'y' }, replicas: 3 }, 'replicas'],
      [{ env: { OK: 'y' }, node: 'nowhere' }, 'node'],
      [{ restart: { policy: 'sometimes' } }, 'restart.policy'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('PATCH', '/instances/bad', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(res.body), JSON.stringify(res.body)).toContain(field);
    }
    expect((await t.api('PATCH', '/instances/bad', { colour: 'red' })).status).toBe(400);
    expect((await t.api('GET', '/instances/bad')).body).toEqual(before);
  });

  it('a running instance shows its edit as not applied until applied, then runs it', async () => {
    await t.api('POST', '/instances?wait=1', { template: 'greeter', name: 'site' });
    expect(await answer('site')).toBe('hi one');
    const edited = await t.api('PATCH', '/instances/site', {
      config: { greeting: 'hello' },
      env: { EXTRA: 'extra' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      env: { EXTRA: 'extra' },
      unappliedChanges: ['config.greeting', 'env.EXTRA'],
    });
    expect(await answer('site')).toBe('hi one');
    const events = await t.api('GET', '/events?instance=site');
    expect(events.body.map((e: { message: string }) => e.message)).toContain(
      'edited: config.greeting, env.EXTRA (not applied yet)',
    );
    const applied = await t.api('POST', '/instances/site/apply?wait=1');
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ status: 'running', unappliedChanges: [] });
    expect(await answer('site')).toBe('hello one extra');
  });

  it('?apply=1 redeploys at once; every deployment keeps its spec, the secret masked', async () => {
    const res = await t.api('PATCH', '/instances/site?apply=1&wait=1', { config: { token: 'two' } });
    expect(res.status).toBe(200);
    expect(res.body.unappliedChanges).toEqual([]);
    expect(await answer('site')).toBe('hello two extra');
    const deps = (await t.api('GET', '/instances/site/deployments')).body;
    expect(deps).toHaveLength(3);
    expect(deps[0].spec).toMatchObject({
      config: { greeting: 'hello', token: '••••' },
      env: { EXTRA: 'extra' },
      replicas: 1,
      node: 'local',
    });
    expect(JSON.stringify(deps)).not.toMatch(/"two"|"one"/);
  });

  it('rolls back to the previous spec, or to a named deployment; an unknown one is a 404', async () => {
    const back = await t.api('POST', '/instances/site/rollback?wait=1', {});
    expect(back.status).toBe(200);
    expect(await answer('site')).toBe('hello one extra');
    const deps = (await t.api('GET', '/instances/site/deployments')).body;
    const first = deps.at(-1);
    const named = await t.api('POST', '/instances/site/rollback?wait=1', { deployment: first.id });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ env: {}, status: 'running', unappliedChanges: [] });
    expect(await answer('site')).toBe('hi one');
    expect((await t.api('POST', '/instances/site/rollback', { deployment: 'nope' })).status).toBe(404);
  });

  it('a pin someone holds is a 409 naming the holder and a free port, as at create; nothing is written', async () => {
    const port = await freePort(23760, 23799);
    outsider = createServer();
    await new Promise<void>((r) => outsider?.listen(port, '127.0.0.1', () => r()));
    const res = await t.api('PATCH', '/instances/site', {
      config: { greeting: 'yo' },
      ports: { http: port },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('PORT_CONFLICT');
    const [conflict] = res.body.error.details.portConflicts;
    expect(conflict).toMatchObject({ name: 'http', port });
    expect(conflict.usedBy).toMatch(/process/);
    expect(conflict.suggestedPort).toEqual(expect.any(Number));
    const after = (await t.api('GET', '/instances/site')).body;
    expect(after).toMatchObject({ config: { greeting: 'hi' }, portOverrides: {}, unappliedChanges: [] });
  });
});
