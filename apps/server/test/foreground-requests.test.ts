import { once } from 'node:events';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { foreground } from '@berth/core';
import { afterEach, describe, expect, it } from 'vitest';
import { holdForeground, releaseForeground } from '../src/http/foreground-requests.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server on port 0 whose handler sees whether the request counts as in flight. */
async function serve(handler: (res: import('node:http').ServerResponse) => void) {
  const server = createServer((_req, res) => {
    holdForeground(res);
    handler(res);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('requests in flight hold background passes back', () => {
  it('counts a request until its response ends', async () => {
    let busyInside = false;
    const port = await serve((res) => {
      busyInside = foreground.busy;
      setTimeout(() => res.end('ok'), 20);
    });
    const res = await new Promise<import('node:http').IncomingMessage>((r) => get({ port, path: '/' }, r));
    res.resume();
    await once(res, 'end');
    await new Promise((r) => setImmediate(r));
    expect(busyInside).toBe(true);
    expect(foreground.busy).toBe(false);
  });

  it('an event stream that stays open is released, and ending it twice counts once', async () => {
    const port = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      releaseForeground(res);
    });
    const req = get({ port, path: '/' });
    const res = await new Promise<import('node:http').IncomingMessage>((r) => req.once('response', r));
    await once(res, 'data');
    expect(foreground.busy).toBe(false);
    req.destroy();
    await new Promise((r) => setTimeout(r, 20));
    expect(foreground.busy).toBe(false);
  });
});
