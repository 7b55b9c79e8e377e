import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { echoTemplate, startTestServer, type TestServer } from './test-server.js';

let t: TestServer;
let outsider: Server;

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [echoTemplate('pin', [47400, 47499])],
  });
});
afterAll(async () => {
  outsider?.close();
  await t?.close();
});

it('start with a pinned port taken by an outsider → 409 with the list; override → start succeeds', async () => {
  const created = await t.api('POST', '/instances', {
    template: 'pin',
    name: 'pinned',
    ports: { http: 47410 },
    start: false,
  });
  expect(created.status).toBe(201);
  outsider = createServer();
  await new Promise<void>((r) => outsider.listen(47410, '127.0.0.1', r));

  const pre = await t.api('GET', '/instances/pinned/preflight');
  expect(pre.body.canStart).toBe(false);
  expect(pre.body.portConflicts[0]).toMatchObject({ name: 'http', port: 47410, pinned: true });
  expect(pre.body.portConflicts[0].usedBy).toMatch(/process/);

  const refused = await t.api('POST', '/instances/pinned/start?wait=1');
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('PORT_CONFLICT');
  const [conflict] = refused.body.error.details.portConflicts;
  expect(conflict).toMatchObject({ name: 'http', envVar: 'PORT', port: 47410 });
  expect(conflict.suggestedPort).toBeGreaterThan(47410);

  const taken = await t.api('POST', '/instances/pinned/port-override', { name: 'http', port: 47410 });
  expect(taken.status).toBe(409);

  const moved = await t.api('POST', '/instances/pinned/port-override', {
    name: 'http',
    port: conflict.suggestedPort,
  });
  expect(moved.status).toBe(200);
  const started = await t.api('POST', '/instances/pinned/start?wait=1');
  expect(started.status).toBe(200);
  expect(started.body).toMatchObject({ status: 'running', ports: { http: conflict.suggestedPort } });
  expect(await (await fetch(started.body.url)).text()).toBe('hello from pinned /');
});

it('create with a pinned port that is already taken → 409 with the list', async () => {
  const res = await t.api('POST', '/instances', { template: 'pin', ports: { http: 47410 } });
  expect(res.status).toBe(409);
  expect(res.body.error.details.portConflicts[0]).toMatchObject({ port: 47410 });
});
