import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../../test/port-blocks.js';
import { echoTemplate, startTestServer, type TestServer } from './test-server.js';

// Ports 26000–26099 belong to this file (test/port-blocks.ts).
let t: TestServer;
let outsider: Server;
/** The pinned port an outsider holds: free when the instance was created, then taken by the outsider. */
let pinned: number;

/** Creates the instance pinned to a free port, then an outsider listens there; a lost race tries another. */
async function pinThenHold(): Promise<number> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = await freePort(26010, 26089);
    const created = await t.api('POST', '/instances', {
      template: 'pin',
      name: 'pinned',
      ports: { http: port },
      start: false,
    });
    expect(created.status).toBe(201);
    outsider = createServer();
    const held = await new Promise<boolean>((r) => {
      outsider.once('error', () => r(false));
      outsider.listen(port, '127.0.0.1', () => r(true));
    });
    if (held) return port;
    await t.api('DELETE', '/instances/pinned');
  }
  throw new Error('no port in 26010–26089 stayed free long enough to pin it');
}

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [echoTemplate('pin', [26000, 26099])],
  });
});
afterAll(async () => {
  outsider?.close();
  await t?.close();
});

it('start with a pinned port taken by an outsider → 409 with the list; override → start succeeds', async () => {
  pinned = await pinThenHold();

  const pre = await t.api('GET', '/instances/pinned/preflight');
  expect(pre.body.canStart).toBe(false);
  expect(pre.body.portConflicts[0]).toMatchObject({ name: 'http', port: pinned, pinned: true });
  expect(pre.body.portConflicts[0].usedBy).toMatch(/process/);

  const refused = await t.api('POST', '/instances/pinned/start?wait=1');
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('PORT_CONFLICT');
  const [conflict] = refused.body.error.details.portConflicts;
  expect(conflict).toMatchObject({ name: 'http', envVar: 'PORT', port: pinned });
  expect(conflict.suggestedPort).toBeGreaterThan(pinned);
  const metrics = await fetch(`${t.apiUrl}/metrics`, { headers: { authorization: `Bearer ${t.token}` } });
  expect(await metrics.text()).toMatch(
    /berth_port_conflicts_total\{route="\/api\/v1\/instances\/:id\/start"\} 1/,
  );

  const taken = await t.api('POST', '/instances/pinned/port-override', { name: 'http', port: pinned });
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
  const res = await t.api('POST', '/instances', { template: 'pin', ports: { http: pinned } });
  expect(res.status).toBe(409);
  expect(res.body.error.details.portConflicts[0]).toMatchObject({ port: pinned });
});
