import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpProbe } from './http-probe.js';
import { portProbe } from './port-probe.js';
import { isSelfConnected } from './tcp-connect.js';
import { type ReadyOptions, WaitTimedOut, waitUntilReady } from './wait-until-ready.js';

type Wait = Omit<ReadyOptions, 'what'>;
const waitForPort = (port: number, opts: Wait) =>
  waitUntilReady(portProbe({ port }), { what: `port ${port} accepting connections`, ...opts });
const waitForHttp = (url: string, { expectStatus, ...opts }: Wait & { expectStatus?: number }) =>
  waitUntilReady(httpProbe({ url, expectStatus }), { what: `HTTP ${url} answering`, ...opts });

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

describe('a connection to itself', () => {
  // What the kernel does by chance when a probe's ephemeral port equals the port it probes; made
  // certain here by asking for that local port.
  const selfConnect = (port: number) =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1', localPort: port, localAddress: '127.0.0.1' });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });

  it('is told apart from a listener', async () => {
    const port = await freePort();
    const self = await selfConnect(port);
    expect(isSelfConnected(self)).toBe(true);
    self.resetAndDestroy();
    const server = createServer((c) => c.destroy());
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const real = await new Promise<Socket>((r) => {
      const s = connect({ port, host: '127.0.0.1' }, () => r(s));
    });
    expect(isSelfConnected(real)).toBe(false);
    real.destroy();
    await close(server);
  });

  it('once reset, leaves the port free for the program to bind', async () => {
    const port = await freePort();
    const self = await selfConnect(port);
    self.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 20));
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await close(server);
  });
});
