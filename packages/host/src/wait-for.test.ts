import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WaitTimedOut } from './poll-until.js';
import { waitForHttp } from './wait-for-http.js';
import { waitForPort } from './wait-for-port.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

const close = (s: { close(cb: () => void): void }) => new Promise<void>((r) => s.close(() => r()));

describe('probes', () => {
  it('sees a port that opens a moment later within a few ms', async () => {
    const port = await freePort();
    let opened = 0;
    const server: Server = createServer();
    setTimeout(() => server.listen(port, '127.0.0.1', () => (opened = Date.now())), 30);
    await waitForPort(port, { timeoutMs: 2_000 });
    expect(Date.now() - opened).toBeLessThan(100);
    await close(server);
  });

  it('times out when nothing listens', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(waitForPort(port, { timeoutMs: 150 })).rejects.toBeInstanceOf(WaitTimedOut);
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('stops at once when aborted', async () => {
    const port = await freePort();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('cancelled')), 30);
    await expect(waitForPort(port, { timeoutMs: 5_000, signal: ac.signal })).rejects.toThrow('cancelled');
  });

  it('waits for an HTTP answer below 500, or the expected status', async () => {
    let status = 503;
    const server = createHttpServer((_, res) => {
      res.statusCode = status;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const url = `http://127.0.0.1:${port}/health`;
    await expect(waitForHttp(url, { timeoutMs: 150 })).rejects.toBeInstanceOf(WaitTimedOut);
    status = 404;
    await waitForHttp(url, { timeoutMs: 1_000 });
    await expect(waitForHttp(url, { timeoutMs: 150, expectStatus: 200 })).rejects.toBeInstanceOf(
      WaitTimedOut,
    );
    status = 200;
    await waitForHttp(url, { timeoutMs: 1_000, expectStatus: 200 });
    await close(server);
  });
});
