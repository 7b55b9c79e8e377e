import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { echoTemplate, startTestServer, type TestServer } from './test-server.js';

let t: TestServer;
let proxyBase: string;

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 47030,
    proxyPort: 47031,
    templates: [echoTemplate('px', [47500, 47599])],
  });
  proxyBase = `127.0.0.1:${t.proxyPort}`;
  expect((await t.api('POST', '/instances?wait=1', { template: 'px', name: 'site' })).body.status).toBe(
    'running',
  );
  expect((await t.api('POST', '/instances', { template: 'px', name: 'idle', start: false })).status).toBe(
    201,
  );
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

describe('path form /i/<instance>/ on the API port', () => {
  it('returns the instance response with the prefix stripped, no token needed', async () => {
    const res = await fetch(`${t.apiUrl}/i/site/some/path?q=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello from site /some/path?q=1');
  });

  it('redirects /i/<instance> to /i/<instance>/', async () => {
    const res = await fetch(`${t.apiUrl}/i/site`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/i/site/');
  });

  it('upgrades a WebSocket', async () => {
    expect(await echoOverWebSocket(`ws://127.0.0.1:${t.server.apiPort}/i/site/ws`)).toBe('echo:ping');
  });

  it('answers a clear 502 page when the instance is down or unknown', async () => {
    const down = await fetch(`${t.apiUrl}/i/idle/`);
    expect(down.status).toBe(502);
    expect(down.headers.get('content-type')).toMatch(/text\/html/);
    expect(await down.text()).toContain('“idle” is stopped');
    const unknown = await fetch(`${t.apiUrl}/i/ghost/`);
    expect(unknown.status).toBe(502);
    expect(await unknown.text()).toContain('no instance named “ghost”');
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
