import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

/**
 * An external instance (template source `external`) whose service is a real HTTP server on this
 * machine (port 0): berth records it, lists its port, links to it and checks its health, healthy
 * while the server answers and unhealthy once it is closed; start/stop are refused, rm forgets it.
 */
let t: TestServer;
let service: Server;
let port: number;

beforeAll(async () => {
  service = createServer((req, res) => {
    res.statusCode = req.url === '/up' ? 200 : 404;
    res.end('ok');
  });
  await new Promise<void>((done) => service.listen(0, '127.0.0.1', done));
  port = (service.address() as AddressInfo).port;
  t = await startTestServer({ apiPort: 0, proxyPort: 0 });
});
afterAll(async () => {
  await t?.close();
  service?.close();
});

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('an external instance', () => {
  it('is recorded, listed, linked and health-checked; start/stop refused; rm removes the record', async () => {
    const template = {
      name: 'outside',
      source: { kind: 'external', address: `127.0.0.1:${port}` },
      ports: [{ name: 'http', preferred: port }],
      config: { token: { type: 'string', secret: true } },
      health: { http: { port: 'http', path: '/up' }, intervalSeconds: 0.2, timeoutSeconds: 2, retries: 1 },
    };
    expect((await t.api('POST', '/templates', template)).status).toBe(201);
    const created = await t.api('POST', '/instances', {
      template: 'outside',
      name: 'outside-1',
      config: { token: 'hunter2' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'external',
      ports: { http: port },
      url: `http://127.0.0.1:${port}/`,
    });
    expect(created.body.proxyUrl).toBeNull();
    // Its secret is kept sealed, and never shown back.
    expect(created.body.config.token).not.toBe('hunter2');
    const stored = t.server.berth.store.instances.find(created.body.id)?.config.token;
    expect(stored).toBeTypeOf('string');
    expect(stored).not.toContain('hunter2');

    const healthy = await until(
      () => t.api('GET', '/instances/outside-1'),
      (r) => r.body.health === 'healthy',
    );
    expect(healthy.body).toMatchObject({ status: 'external', health: 'healthy' });

    const inventory = await t.api('GET', '/ports?host=127.0.0.1');
    expect(inventory.body).toContainEqual(
      expect.objectContaining({ port, ownerKind: 'instance', instanceId: created.body.id }),
    );

    for (const action of ['start', 'stop', 'restart', 'kill']) {
      const r = await t.api('POST', `/instances/outside-1/${action}`);
      expect(r.status, action).toBe(409);
      expect(JSON.stringify(r.body), action).toContain('external instance');
    }

    await new Promise<void>((done) => service.close(() => done()));
    service.closeAllConnections();
    const sick = await until(
      () => t.api('GET', '/instances/outside-1'),
      (r) => r.body.health === 'unhealthy',
    );
    expect(sick.body).toMatchObject({ status: 'external', health: 'unhealthy' });

    expect((await t.api('DELETE', '/instances/outside-1')).status).toBeLessThan(300);
    expect((await t.api('GET', '/instances/outside-1')).status).toBe(404);
  });
});
