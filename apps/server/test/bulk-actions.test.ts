import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

// Ports 9400–9449 belong to this file (test/port-blocks.ts).
const RANGE: [number, number] = [9400, 9449];

/** A real process that answers on its port. */
const template = (name: string) => ({
  name,
  source: {
    kind: 'command',
    command: process.execPath,
    args: ['-e', "require('http').createServer((q,r)=>r.end('ok')).listen(process.env.PORT)"],
  },
  ports: [{ name: 'http', env: 'PORT', range: RANGE }],
  readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
});

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [template('bucket'), template('other')] });
  const create = (name: string, tpl: string, labels: Record<string, string>) =>
    t.api('POST', '/instances?wait=1', { template: tpl, name, labels });
  for (const [name, tpl, labels] of [
    ['b1', 'bucket', { team: 'data' }],
    ['b2', 'bucket', { team: 'data', 'example.com/tier': 'cold' }],
    ['o1', 'other', { team: 'web' }],
  ] as const) {
    expect((await create(name, tpl, labels)).status).toBe(201);
  }
}, 60_000);
afterAll(() => t?.close());

const status = async (name: string) => (await t.api('GET', `/instances/${name}`)).body.status;

describe('labels through the API', () => {
  it('shows them, edits them with PATCH, and refuses a bad key or value with a 400 naming it', async () => {
    expect((await t.api('GET', '/instances/b2')).body.labels).toEqual({
      team: 'data',
      'example.com/tier': 'cold',
    });
    const edited = await t.api('PATCH', '/instances/b2', { labels: { 'example.com/tier': null, zone: 'a' } });
    expect(edited.status).toBe(200);
    expect(edited.body.labels).toEqual({ team: 'data', zone: 'a' });
    expect(edited.body.unappliedChanges).toEqual([]);
    const bad = await t.api('PATCH', '/instances/b2', { labels: { 'no spaces': 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('labels.no spaces');
    const badValue = await t.api('POST', '/instances', { template: 'other', labels: { ok: 'not ok' } });
    expect(badValue.status).toBe(400);
    expect(badValue.body.error.details.field).toBe('labels.ok');
  });
});

describe('POST /instances/actions', () => {
  it('needs exactly one selector: a 400 naming the field', async () => {
    const none = await t.api('POST', '/instances/actions', { action: 'stop' });
    expect(none.status).toBe(400);
    expect(none.body.error.details.field).toBe('names');
    const two = await t.api('POST', '/instances/actions', { action: 'stop', all: true, template: 'bucket' });
    expect(two.status).toBe(400);
    expect(two.body.error.details.field).toBe('all');
    expect(two.body.error.message).toContain('template and all were both given');
    const badAction = await t.api('POST', '/instances/actions', { action: 'explode', all: true });
    expect(badAction.status).toBe(400);
    expect(JSON.stringify(badAction.body)).toContain('action');
  });

  it('stops a template, answering per instance; the others keep running', async () => {
    const res = await t.api('POST', '/instances/actions?wait=1', { action: 'stop', template: 'bucket' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'stop', succeeded: 2, failed: 0 });
    expect(res.body.results.map((r: { name: string; status: string }) => [r.name, r.status])).toEqual([
      ['b1', 'stopped'],
      ['b2', 'stopped'],
    ]);
    expect(await status('o1')).toBe('running');
  });

  it('never stops at the first failure: an unknown name answers for itself, the rest start', async () => {
    const res = await t.api('POST', '/instances/actions?wait=1', {
      action: 'start',
      names: ['ghost', 'b1', 'b2'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 2, failed: 1 });
    expect(res.body.results[0]).toMatchObject({
      name: 'ghost',
      id: null,
      ok: false,
      error: { code: 'NOT_FOUND', message: "instance 'ghost' was not found" },
    });
    expect(await status('b1')).toBe('running');
    expect(await status('b2')).toBe('running');
  });

  it('chooses by labels (every one must match)', async () => {
    const res = await t.api('POST', '/instances/actions?wait=1', {
      action: 'restart',
      labels: { team: 'data', zone: 'a' },
    });
    expect(res.body.results.map((r: { name: string }) => r.name)).toEqual(['b2']);
    expect(res.body.results[0]).toMatchObject({ ok: true, status: 'running' });
  });

  it('lets an operator stop and start, but rm needs admin as DELETE does', async () => {
    const operate = t.server.berth.tokens.create('bulk-operate', 'operate').secret;
    const read = t.server.berth.tokens.create('bulk-read', 'read').secret;
    const stop = await t.api('POST', '/instances/actions?wait=1', { action: 'stop', names: ['o1'] }, operate);
    expect(stop.status).toBe(200);
    expect((await t.api('POST', '/instances/actions', { action: 'stop', all: true }, read)).status).toBe(403);
    const rm = await t.api('POST', '/instances/actions', { action: 'rm', names: ['o1'] }, operate);
    expect(rm.status).toBe(403);
    expect(rm.body.error.code).toBe('ROLE_REQUIRED');
    expect(await status('o1')).toBe('stopped');
  });

  it('rm as admin removes every instance it names', async () => {
    const res = await t.api('POST', '/instances/actions', { action: 'rm', all: true });
    expect(res.body).toMatchObject({ action: 'rm', succeeded: 3, failed: 0 });
    expect(res.body.results.every((r: { status: unknown }) => r.status === null)).toBe(true);
    expect((await t.api('GET', '/instances')).body).toEqual([]);
  });
});
