import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionRouter } from '../src/proxy/connection-router.js';
import type { Target } from '../src/proxy/instance-targets.js';

// Every spliced connection reads its upstream into one buffer shared by the process (onread) and
// copies each read out: answers larger than that buffer, to clients that read slowly (so the
// upstream is paused and resumed), on several connections at once, must arrive byte for byte.
const SIZE = 16 * 1024 * 1024;
const bodies = new Map<string, Buffer>();
let upstream: Server;
let router: ConnectionRouter;
let port: number;

/** Bytes that differ per instance and per offset, so a piece of another answer would show. */
function bodyOf(name: string): Buffer {
  const b = Buffer.alloc(SIZE);
  let x = name.charCodeAt(0) * 7919;
  for (let i = 0; i < SIZE; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

beforeAll(async () => {
  for (const name of ['a', 'b', 'c']) bodies.set(name, bodyOf(name));
  upstream = createServer((req, res) =>
    res.end(bodies.get(String(req.headers['x-forwarded-host']).charAt(0))),
  );
  const upstreamPort = await new Promise<number>((r) =>
    upstream.listen(0, '127.0.0.1', () => r((upstream.address() as { port: number }).port)),
  );
  const target: Target = { ok: true, host: '127.0.0.1', port: upstreamPort };
  router = new ConnectionRouter({ find: () => target }, createServer());
  port = await router.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await router?.close();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
});

/** GET on a connection of its own, reading a piece every few milliseconds. */
function slowGet(host: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      const pieces: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        pieces.push(c);
        res.pause();
        setTimeout(() => res.resume(), 2);
      });
      res.on('end', () => resolve(Buffer.concat(pieces)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const sha = (b: Buffer | undefined) =>
  createHash('sha256')
    .update(b ?? '')
    .digest('hex');

describe('spliced answers larger than the shared read buffer', () => {
  it('reach slow clients on concurrent connections whole and unmixed', async () => {
    const names = ['a', 'b', 'c'];
    const got = await Promise.all(names.map((n) => slowGet(`${n}.localhost`)));
    for (const [i, n] of names.entries()) {
      expect(got[i]?.length).toBe(SIZE);
      expect(sha(got[i])).toBe(sha(bodies.get(n)));
    }
  }, 60_000);
});
