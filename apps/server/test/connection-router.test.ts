import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionRouter } from '../src/proxy/connection-router.js';
import type { Target } from '../src/proxy/instance-targets.js';

// The proxy port's router on its own, with real sockets: a real upstream HTTP server, and a
// fallback server standing in for the per-request proxy that counts what reaches it.
let upstream: Server;
let fallback: Server;
let router: ConnectionRouter;
let port: number;
let fallbackRequests: string[] = [];
const routes = new Map<string, Target>();

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

beforeAll(async () => {
  upstream = createServer((req, res) => res.end(`upstream ${req.url} via ${req.headers['x-forwarded-for']}`));
  const upstreamPort = await listen(upstream);
  const closed = createServer();
  const closedPort = await listen(closed);
  await new Promise((r) => closed.close(r)); // a port where nothing listens any more
  routes.set('web', { ok: true, host: '127.0.0.1', port: upstreamPort });
  routes.set('gone', { ok: true, host: '127.0.0.1', port: closedPort });
  fallback = createServer((req: IncomingMessage, res) => {
    fallbackRequests.push(`${req.headers.host} ${req.url}`);
    res.end(`fallback ${req.url}`);
  });
  const targets = { find: (name: string) => routes.get(name) ?? { ok: false as const, reason: 'none' } };
  router = new ConnectionRouter(targets, fallback, { headTimeoutMs: 200 });
  port = await router.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await router?.close();
  fallback?.closeAllConnections();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
});

function get(host: string, path: string) {
  return new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw connection: writes `data` (if any), resolves with everything read once the router closes it. */
function raw(data?: string) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let read = '';
    socket.setEncoding('latin1');
    socket.on('data', (c) => (read += c));
    socket.on('close', () => resolve(read));
    socket.on('error', reject);
    if (data) socket.write(data);
  });
}

describe('ConnectionRouter', () => {
  it('splices an instance’s connection without the per-request proxy', async () => {
    fallbackRequests = [];
    expect(await get('web.localhost:1', '/a')).toBe('upstream /a via 127.0.0.1');
    expect(fallbackRequests).toEqual([]);
  });

  it('splices the path form /i/<name>/ too, the prefix taken off each request', async () => {
    fallbackRequests = [];
    expect(await get('127.0.0.1:1', '/i/web/a?b=1')).toBe('upstream /a?b=1 via 127.0.0.1');
    // Two requests on one connection: both reach the instance without the prefix.
    const both = await raw(
      'GET /i/web/one HTTP/1.1\r\nHost: x\r\n\r\nGET /i/web/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(both).toContain('upstream /one via 127.0.0.1');
    expect(both).toContain('upstream / via 127.0.0.1');
    expect(fallbackRequests).toEqual([]);
    // Without its slash, another instance, nothing to route: the per-request proxy's.
    expect(await get('127.0.0.1:1', '/i/web')).toBe('fallback /i/web');
    expect(await get('127.0.0.1:1', '/i/nobody/')).toBe('fallback /i/nobody/');
    expect(await get('127.0.0.1:1', '/web/')).toBe('fallback /web/');
    expect(fallbackRequests).toEqual(['127.0.0.1:1 /i/web', '127.0.0.1:1 /i/nobody/', '127.0.0.1:1 /web/']);
  });

  it('hands unknown instances, bare hosts and unreachable upstreams to the per-request proxy', async () => {
    fallbackRequests = [];
    expect(await get('nobody.localhost', '/x')).toBe('fallback /x');
    expect(await get('localhost', '/y')).toBe('fallback /y');
    expect(await get('gone.localhost', '/z')).toBe('fallback /z');
    expect(fallbackRequests).toEqual(['nobody.localhost /x', 'localhost /y', 'gone.localhost /z']);
  });

  it('answers 408 and closes when a head does not arrive in time (slowloris)', async () => {
    expect(await raw()).toMatch(/^HTTP\/1\.1 408 /);
    expect(await raw('GET / HTTP/1.1\r\nHost: web.localhost\r\nX-Slow: ')).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('reads requests again after the instance refuses an upgrade', async () => {
    fallbackRequests = [];
    const read = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (c) => {
        text += c;
        if (text.includes('upstream /up') && !text.includes('/next')) {
          socket.write('GET /next HTTP/1.1\r\nHost: other.localhost\r\n\r\n');
        }
        if (text.includes('/next')) socket.end();
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.write('GET /up HTTP/1.1\r\nHost: web.localhost\r\nConnection: Upgrade\r\nUpgrade: foo\r\n\r\n');
    });
    // No upgrade listener: the upstream answers /up as a plain request and keeps the connection.
    expect(read).toContain('upstream /up');
    expect(read).toContain('fallback /next');
    expect(fallbackRequests).toEqual(['other.localhost /next']);
  });

  it('closes a spliced connection whose next head stalls', async () => {
    const read = await raw('GET /first HTTP/1.1\r\nHost: web.localhost\r\n\r\nGET /second HTTP/1.1\r\nHo');
    expect(read).toContain('upstream /first');
    expect(read).not.toContain('/second');
  });
});
