import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { echoTemplate, startTestServer, type TestServer } from './test-server.js';

/** Like the echo template, but answers with what it received: method, url, headers, body size. */
function mirrorTemplate(name: string, range: [number, number]) {
  const echo = echoTemplate(name, range);
  const script = [
    "const http=require('http');const {WebSocketServer}=require('ws');",
    'const s=http.createServer((q,r)=>{let n=0;q.on("data",c=>n+=c.length);q.on("end",()=>{',
    "r.setHeader('content-type','application/json');",
    'r.end(JSON.stringify({instance:process.env.BERTH_INSTANCE,method:q.method,url:q.url,headers:q.headers,bodyBytes:n}))})});',
    "new WebSocketServer({server:s}).on('connection',c=>c.on('message',m=>c.send('echo:'+m)));",
    's.listen(process.env.PORT);',
  ].join('');
  return { ...echo, source: { ...echo.source, args: ['-e', script] } };
}

let t: TestServer;
let proxyBase: string;

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [echoTemplate('px', [26600, 26699]), mirrorTemplate('mirror', [26700, 26799])],
  });
  proxyBase = `127.0.0.1:${t.proxyPort}`;
  expect((await t.api('POST', '/instances?wait=1', { template: 'px', name: 'site' })).body.status).toBe(
    'running',
  );
  expect((await t.api('POST', '/instances', { template: 'px', name: 'idle', start: false })).status).toBe(
    201,
  );
  for (const name of ['m1', 'm2']) {
    const created = await t.api('POST', '/instances?wait=1', { template: 'mirror', name });
    expect(created.body.status).toBe('running');
  }
});
afterAll(() => t?.close());

/** GET through the host form: connect to the proxy port, send `Host: <name>.localhost:<port>`. */
function viaHost(name: string, path: string, method = 'GET', body?: string) {
  return new Promise<{ status: number; text: string; type: string | undefined }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: t.proxyPort,
        path,
        method,
        headers: { host: `${name}.localhost:${t.proxyPort}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text, type: res.headers['content-type'] }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function echoOverWebSocket(url: string, headers: Record<string, string> = {}) {
  return new Promise<string>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => ws.send('ping'));
    ws.on('message', (m) => {
      resolve(String(m));
      ws.close();
    });
    ws.on('error', reject);
  });
}

describe('path form /i/<instance>/ on the proxy port', () => {
  it('returns the instance response with the prefix stripped, no token needed', async () => {
    const res = await fetch(`http://${proxyBase}/i/site/some/path?q=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello from site /some/path?q=1');
  });

  it('redirects /i/<instance> to /i/<instance>/', async () => {
    const res = await fetch(`http://${proxyBase}/i/site`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/i/site/');
  });

  it('upgrades a WebSocket', async () => {
    expect(await echoOverWebSocket(`ws://${proxyBase}/i/site/ws`)).toBe('echo:ping');
  });

  it('answers a clear 502 page when the instance is down or unknown', async () => {
    const down = await fetch(`http://${proxyBase}/i/idle/`);
    expect(down.status).toBe(502);
    expect(down.headers.get('content-type')).toMatch(/text\/html/);
    expect(await down.text()).toContain('“idle” is stopped');
    const unknown = await fetch(`http://${proxyBase}/i/ghost/`);
    expect(unknown.status).toBe(502);
    expect(await unknown.text()).toContain('no instance named “ghost”');
  });
});

describe('path form /i/<instance>/ on the API port: never served there', () => {
  it('answers 308 to the same path on the proxy port, same hostname', async () => {
    for (const [host, path] of [
      ['127.0.0.1', '/i/site/some/path?q=1'],
      ['localhost', '/i/site'],
    ] as const) {
      const res = await fetch(`http://${host}:${t.server.apiPort}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(308);
      expect(res.headers.get('location')).toBe(`http://${host}:${t.proxyPort}${path}`);
      expect(await res.text()).toBe('');
    }
    const followed = await fetch(`${t.apiUrl}/i/site/x`);
    expect([followed.url, await followed.text()]).toEqual([
      `http://127.0.0.1:${t.proxyPort}/i/site/x`,
      'hello from site /x',
    ]);
  });

  it('refuses a WebSocket upgrade, naming the proxy port', async () => {
    const refused = await raw(
      `GET /i/site/ws HTTP/1.1\r\nHost: 127.0.0.1:${t.server.apiPort}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      undefined,
      t.server.apiPort,
    );
    expect(refused).toMatch(/^HTTP\/1\.1 403 /);
    expect(refused).toContain(`ws://127.0.0.1:${t.proxyPort}/i/site/ws`);
    await expect(echoOverWebSocket(`ws://127.0.0.1:${t.server.apiPort}/i/site/ws`)).rejects.toThrow(/403/);
  });
});

describe('host form <instance>.localhost:<proxy-port>', () => {
  it('returns the instance response with the path unchanged', async () => {
    expect(await viaHost('site', '/a/b')).toMatchObject({ status: 200, text: 'hello from site /a/b' });
  });

  it('streams request bodies through', async () => {
    expect((await viaHost('site', '/post', 'POST', 'x'.repeat(100_000))).status).toBe(200);
  });

  it('upgrades a WebSocket', async () => {
    const reply = await echoOverWebSocket(`ws://${proxyBase}/`, { host: `site.localhost:${t.proxyPort}` });
    expect(reply).toBe('echo:ping');
  });

  it('answers 502 for a stopped or unknown instance and for a bare host', async () => {
    expect(await viaHost('idle', '/')).toMatchObject({ status: 502, type: expect.stringMatching(/html/) });
    expect((await viaHost('ghost', '/')).status).toBe(502);
    expect((await fetch(`http://${proxyBase}/`)).status).toBe(502);
  });

  it('follows the instance: stopped → 502, started again → 200', async () => {
    await t.api('POST', '/instances/site/stop?wait=1');
    expect((await viaHost('site', '/')).status).toBe(502);
    await t.api('POST', '/instances/site/start?wait=1');
    expect((await viaHost('site', '/')).text).toBe('hello from site /');
  });
});

interface Mirrored {
  status: number;
  reused: boolean;
  instance?: string;
  url?: string;
  bodyBytes?: number;
  headers?: Record<string, string>;
  text: string;
}

/** One request through the host form on `agent`; the mirror's JSON answer parsed when it is one. */
function viaAgent(agent: Agent, name: string, path: string, method = 'GET', body: string[] = []) {
  return new Promise<Mirrored>((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port: t.proxyPort,
        path,
        method,
        headers: { host: `${name}.localhost:${t.proxyPort}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          const json = res.headers['content-type']?.includes('json') ? JSON.parse(text) : {};
          resolve({ ...json, status: res.statusCode ?? 0, reused: req.reusedSocket, text });
        });
      },
    );
    req.on('error', reject);
    for (const piece of body) req.write(piece);
    req.end();
  });
}

/** Writes `data` on a raw connection to the proxy port (or `port`); resolves with all it reads until closed. */
function raw(data: string, until?: (read: string) => boolean, port = t.proxyPort) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let read = '';
    socket.setEncoding('latin1');
    socket.on('data', (c) => {
      read += c;
      if (until?.(read)) socket.destroy();
    });
    socket.on('close', () => resolve(read));
    socket.on('error', reject);
    socket.write(data);
  });
}

describe('host form: connections carrying many requests', () => {
  it('answers several requests on one kept-alive connection, each with X-Forwarded-*', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers = [];
      for (const path of ['/one', '/two?x=1', '/three']) answers.push(await viaAgent(agent, 'm1', path));
      expect(answers.map((a) => [a.status, a.instance, a.url, a.reused])).toEqual([
        [200, 'm1', '/one', false],
        [200, 'm1', '/two?x=1', true],
        [200, 'm1', '/three', true],
      ]);
      for (const a of answers) {
        expect(a.headers).toMatchObject({
          host: `m1.localhost:${t.proxyPort}`,
          'x-forwarded-for': '127.0.0.1',
          'x-forwarded-host': `m1.localhost:${t.proxyPort}`,
          'x-forwarded-proto': 'http',
        });
      }
    } finally {
      agent.destroy();
    }
  });

  it('streams chunked and sized bodies through and keeps the requests after them apart', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const chunked = await viaAgent(agent, 'm1', '/chunked', 'POST', [
        'a'.repeat(70_000),
        'b'.repeat(5),
        'c',
      ]);
      expect(chunked).toMatchObject({ status: 200, method: 'POST', bodyBytes: 70_006 });
      expect(chunked.headers?.['transfer-encoding']).toBe('chunked');
      const after = await viaAgent(agent, 'm1', '/after');
      expect(after).toMatchObject({ status: 200, url: '/after', bodyBytes: 0, reused: true });
      const sized = await viaAgent(agent, 'm1', '/sized', 'PUT', ['x'.repeat(200_000)]);
      expect(sized).toMatchObject({ status: 200, method: 'PUT', bodyBytes: 200_000, reused: true });
      expect((await viaAgent(agent, 'm1', '/last')).url).toBe('/last');
    } finally {
      agent.destroy();
    }
  });

  it('answers pipelined requests in order', async () => {
    const host = `m1.localhost:${t.proxyPort}`;
    const post = `POST /p2 HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\n\r\nhello`;
    const read = await raw(
      `GET /p1 HTTP/1.1\r\nHost: ${host}\r\n\r\n${post}GET /p3 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      (r) => r.includes('/p3'),
    );
    const urls = [...read.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
    expect(urls).toEqual(['/p1', '/p2', '/p3']);
    expect(read).toContain('"bodyBytes":5');
  });

  it('routes each request by its own Host when one connection carries several instances', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers = [];
      for (const name of ['m1', 'm2', 'm2', 'idle', 'm1', 'ghost', 'm2'])
        answers.push(await viaAgent(agent, name, '/'));
      expect(answers.map((a) => [a.status, a.instance ?? a.text.includes('502 Bad Gateway')])).toEqual([
        [200, 'm1'],
        [200, 'm2'],
        [200, 'm2'],
        [502, true],
        [200, 'm1'],
        [502, true],
        [200, 'm2'],
      ]);
      expect(answers.slice(1).every((a) => a.reused)).toBe(true);
      for (const a of answers.filter((x) => x.status === 200)) {
        expect(a.headers?.['x-forwarded-host']).toBe(`${a.instance}.localhost:${t.proxyPort}`);
      }
    } finally {
      agent.destroy();
    }
  });

  it('answers 400 to a garbage first line and keeps serving', async () => {
    expect(await raw('BLAH\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw('\x00\x01\x02 nonsense \x7f\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw('GET / HTTP/1.1\nHost: site.localhost\n\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await viaHost('site', '/still')).toMatchObject({ status: 200, text: 'hello from site /still' });
  });

  it('refuses an oversized head (431) and keeps serving', async () => {
    const big = `GET / HTTP/1.1\r\nHost: site.localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect(await raw(big)).toMatch(/^HTTP\/1\.1 431 /);
    const endless = `GET / HTTP/1.1\r\nHost: site.localhost\r\nX-Big: ${'a'.repeat(40_000)}`;
    expect(await raw(endless)).toMatch(/^HTTP\/1\.1 431 /);
    expect(await viaHost('site', '/still')).toMatchObject({ status: 200, text: 'hello from site /still' });
  });

  it('upgrades a WebSocket on the host form after the instance answered plain requests', async () => {
    expect((await viaHost('m2', '/plain')).status).toBe(200);
    const reply = await echoOverWebSocket(`ws://${proxyBase}/socket`, {
      host: `m2.localhost:${t.proxyPort}`,
    });
    expect(reply).toBe('echo:ping');
  });
});
