import { createServer, request, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { silentLogger } from '@berth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../src/proxy/instance-targets.js';
import { ProxyWorkers } from '../src/proxy/proxy-workers.js';

// A proxy worker process (the built dist/proxy/proxy-worker.js) given every connection a listener
// of this test accepts (the main process takes no turn here). The routing table is a map here; a connection the worker relays is answered
// "relayed" by this process. A real upstream answers with what reached it.
let upstream: Server;
let upstreamPort: number;
let listener: TcpServer;
let port: number;
let workers: ProxyWorkers;
const routes = new Map<string, Target>();
const relayedFrom: string[] = [];
const metered = new Map<string, number>();

beforeAll(async () => {
  upstream = createServer((req, res) =>
    res.end(JSON.stringify({ url: req.url, auth: req.headers.authorization, cookie: req.headers.cookie })),
  );
  upstreamPort = await new Promise<number>((r) =>
    upstream.listen(0, '127.0.0.1', () => r((upstream.address() as { port: number }).port)),
  );
  listener = createTcpServer({ pauseOnConnect: true }, (socket) => {
    if (!workers.take(socket)) socket.destroy();
  });
  port = await new Promise<number>((r) =>
    listener.listen(0, '127.0.0.1', () => r((listener.address() as { port: number }).port)),
  );
  workers = new ProxyWorkers({
    count: 1,
    mainTakesTurns: false,
    targets: { find: (key) => routes.get(key) ?? { ok: false, reason: 'none' } },
    adopt: answerRelayed,
    meter: {
      request: (name, n = 1) => metered.set(name, (metered.get(name) ?? 0) + n),
      bytes: () => {},
    },
    log: silentLogger,
  });
  await workers.start();
  expect(workers.size).toBe(1);
});

afterAll(async () => {
  // The listener first: it waits for the connections it handed to the worker, which stopping it ends.
  const closed = new Promise((r) => listener?.close(r));
  await workers?.close();
  await closed;
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
});

/** This process's stand-in for the main process's router: answers "relayed" and closes. */
function answerRelayed(socket: Socket): void {
  relayedFrom.push(socket.remoteAddress ?? '');
  let head = '';
  socket.on('data', (c: Buffer) => {
    head += c.toString('latin1');
    if (head.includes('\r\n\r\n'))
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 7\r\nconnection: close\r\n\r\nrelayed');
  });
}

/** One request on a connection of its own. */
function get(path: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Asks until `pred` holds for the answer (the worker learns of a change by a message). */
async function until(path: string, headers: Record<string, string>, pred: (body: string) => boolean) {
  let body = '';
  for (let i = 0; i < 100; i++) {
    body = await get(path, headers);
    if (pred(body)) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never got the expected answer for ${path}; last: ${body}`);
}

describe('proxy workers', () => {
  it('relay a name they do not know to the main process, with the client’s address', async () => {
    expect(await get('/', { host: 'nobody.localhost' })).toBe('relayed');
    expect(relayedFrom.at(-1)).toBe('127.0.0.1');
  });

  it('route an instance created after they started, and stop routing it once removed', async () => {
    expect(await get('/', { host: 'fresh.localhost' })).toBe('relayed');
    routes.set('fresh', { ok: true, host: '127.0.0.1', port: upstreamPort });
    workers.changed('fresh');
    const served = await until('/hello', { host: 'fresh.localhost' }, (b) => b !== 'relayed');
    expect(JSON.parse(served).url).toBe('/hello');
    // the path form too, without its prefix
    expect(JSON.parse(await get('/i/fresh/there?x=1', { host: `127.0.0.1:${port}` })).url).toBe('/there?x=1');
    routes.delete('fresh');
    workers.changed('fresh');
    expect(await until('/', { host: 'fresh.localhost' }, (b) => b === 'relayed')).toBe('relayed');
    expect(await get('/i/fresh/', { host: `127.0.0.1:${port}` })).toBe('relayed');
  });

  it('strip berth’s credentials, and leave an Authorization they cannot judge to the main process', async () => {
    routes.set('creds', { ok: true, host: '127.0.0.1', port: upstreamPort });
    await until('/', { host: 'creds.localhost' }, (b) => b !== 'relayed');
    const seen = JSON.parse(
      await get('/', {
        host: 'creds.localhost',
        authorization: 'Bearer berth_abc',
        cookie: 'app=1; berth_session=s3cret',
      }),
    );
    expect(seen).toMatchObject({ cookie: 'app=1' });
    expect(seen.auth).toBeUndefined();
    expect(JSON.parse(await get('/', { host: 'creds.localhost', authorization: 'Basic dTpw' })).auth).toBe(
      'Basic dTpw',
    );
    // Maybe a token set by BERTH_ADMIN_TOKEN: only the main process knows.
    const relays = relayedFrom.length;
    expect(await get('/', { host: 'creds.localhost', authorization: 'Bearer opaque' })).toBe('relayed');
    expect(relayedFrom.length).toBe(relays + 1);
    // A head with ambiguous framing is never forwarded by a worker: the main process's parser refuses it.
    const clte = await get('/', {
      host: 'creds.localhost',
      'content-length': '5',
      'transfer-encoding': 'chunked',
    });
    expect(clte).toBe('relayed');
  });

  it('report the requests they forwarded', async () => {
    for (let i = 0; i < 100 && (metered.get('creds') ?? 0) < 3; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(metered.get('creds')).toBeGreaterThanOrEqual(3);
  });
});
