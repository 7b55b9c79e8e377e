import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { assertChromium, builtWeb, CHROMIUM, CHROMIUM_ARGS } from '../../web/test/berth-harness.js';
import { DOCS_CSP, UI_CSP } from '../src/http/security-headers.js';
import { echoTemplate, startTestServer, type TestServer } from './test-server.js';

// Ports 30600–30699 belong to this file.

/** Answers every request, and every WebSocket's first message, with the headers it received. */
function headersTemplate(name: string, range: [number, number]) {
  const echo = echoTemplate(name, range);
  const script = [
    "const http=require('http');const {WebSocketServer}=require('ws');",
    "const s=http.createServer((q,r)=>{q.resume();q.on('end',()=>{r.setHeader('content-type','application/json');",
    'r.end(JSON.stringify({url:q.url,headers:q.headers}))})});',
    "new WebSocketServer({server:s}).on('connection',(c,q)=>c.send(JSON.stringify({url:q.url,headers:q.headers})));",
    's.listen(process.env.PORT);',
  ].join('');
  return { ...echo, source: { ...echo.source, args: ['-e', script] } };
}

/** What the page scripts below use of a browser (this package is built without the DOM's types). */
interface BrowserGlobals {
  document: { cookie: string };
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

interface Seen {
  url: string;
  headers: Record<string, string | undefined>;
}

/** What an instance may keep: its own cookies and its own Authorization. */
const OWN_COOKIES = 'app=1; theme=dark';
/** berth's: the UI's session cookie among the instance's own, a berth token, proxy credentials. */
const CREDENTIALS = {
  cookie: `app=1; berth_session=berth_s3cret; theme=dark`,
  authorization: 'Bearer berth_0123456789abcdef',
  'proxy-authorization': 'Basic cHJveHk6cGFzcw==',
};

let t: TestServer;
let webDist: string;
let proxyOrigin: string;

beforeAll(async () => {
  webDist = await builtWeb(); // shared with the web e2e files: one vite build, not one each
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    webDist,
    templates: [headersTemplate('hdr', [30600, 30699])],
  });
  proxyOrigin = `http://127.0.0.1:${t.proxyPort}`;
  expect((await t.api('POST', '/instances?wait=1', { template: 'hdr', name: 'h1' })).body.status).toBe(
    'running',
  );
}, 180_000);
afterAll(async () => {
  await t?.close();
});

/** One request to the proxy port through `agent` (host form when `host` names an instance). */
function get(agent: Agent, host: string, path: string, headers: Record<string, string>) {
  return new Promise<Seen & { reused: boolean }>((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port: t.proxyPort, path, headers: { ...headers, host } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${res.statusCode}: ${text}`));
          else resolve({ ...JSON.parse(text), reused: req.reusedSocket });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function viaWebSocket(url: string, headers: Record<string, string>) {
  return new Promise<Seen>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('message', (m) => {
      resolve(JSON.parse(String(m)));
      ws.close();
    });
    ws.on('error', reject);
  });
}

function expectNoBerthCredentials(seen: Seen) {
  expect(seen.headers.cookie).toBe(OWN_COOKIES);
  expect(seen.headers.authorization).toBeUndefined();
  expect(seen.headers['proxy-authorization']).toBeUndefined();
}

describe('berth credentials never reach an instance', () => {
  it('host form, spliced: the first request and the next one on the kept-alive connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const host = `h1.localhost:${t.proxyPort}`;
      const first = await get(agent, host, '/first', CREDENTIALS);
      const second = await get(agent, host, '/second', CREDENTIALS);
      expect([first.url, first.reused, second.url, second.reused]).toEqual([
        '/first',
        false,
        '/second',
        true,
      ]);
      expectNoBerthCredentials(first);
      expectNoBerthCredentials(second);
      const alone = await get(agent, host, '/alone', { cookie: 'berth_session=berth_s3cret' });
      expect(alone.headers.cookie).toBeUndefined();
    } finally {
      agent.destroy();
    }
  });

  it('path form, per-request proxy', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const seen = await get(agent, `127.0.0.1:${t.proxyPort}`, '/i/h1/p', CREDENTIALS);
      expect(seen.url).toBe('/p');
      expectNoBerthCredentials(seen);
    } finally {
      agent.destroy();
    }
  });

  it('WebSocket upgrades, host form and path form', async () => {
    const host = await viaWebSocket(`ws://127.0.0.1:${t.proxyPort}/ws`, {
      ...CREDENTIALS,
      host: `h1.localhost:${t.proxyPort}`,
    });
    expectNoBerthCredentials(host);
    const path = await viaWebSocket(`${proxyOrigin.replace('http', 'ws')}/i/h1/ws`, CREDENTIALS);
    expect(path.url).toBe('/ws');
    expectNoBerthCredentials(path);
  });

  it('strips a berth token that does not look like one (set by BERTH_ADMIN_TOKEN)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const authorization = `Bearer ${t.token}`;
      expect(t.token.startsWith('berth_')).toBe(false);
      const spliced = await get(agent, `h1.localhost:${t.proxyPort}`, '/', { authorization });
      const perRequest = await get(agent, `127.0.0.1:${t.proxyPort}`, '/i/h1/', { authorization });
      expect([spliced.headers.authorization, perRequest.headers.authorization]).toEqual([
        undefined,
        undefined,
      ]);
    } finally {
      agent.destroy();
    }
  });

  it('passes the instance’s own basic auth and bearer tokens', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer their-own-token']) {
        const spliced = await get(agent, `h1.localhost:${t.proxyPort}`, '/', { authorization });
        const perRequest = await get(agent, `127.0.0.1:${t.proxyPort}`, '/i/h1/', { authorization });
        expect([spliced.headers.authorization, perRequest.headers.authorization]).toEqual([
          authorization,
          authorization,
        ]);
      }
    } finally {
      agent.destroy();
    }
  });
});

describe('security headers of the API port', () => {
  it('sends the strict CSP and the other headers with the UI and the API, a looser one for /api/docs', async () => {
    const index = await fetch(`${t.apiUrl}/`, { headers: { accept: 'text/html' } });
    expect(await index.text()).toContain('<div id="root">');
    for (const res of [index, await fetch(`${t.apiUrl}/api/v1/health`)]) {
      expect(res.headers.get('content-security-policy')).toBe(UI_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
    expect(UI_CSP).toContain("script-src 'self';");
    expect(UI_CSP).toContain("frame-ancestors 'none'");
    const docs = await fetch(`${t.apiUrl}/api/docs/`);
    expect(docs.headers.get('content-security-policy')).toBe(DOCS_CSP);
  });

  it('adds nothing to an instance’s answers on the proxy port', async () => {
    const res = await fetch(`${proxyOrigin}/i/h1/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });
});

describe('in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    assertChromium();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(() => browser?.close());

  it('loads the UI and the API docs with no CSP violation', async () => {
    expect(existsSync(join(webDist, 'index.html'))).toBe(true);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(`${t.apiUrl}/`);
    await page.getByRole('button').first().waitFor();
    await page.evaluate(async (token) => {
      await fetch('/api/v1/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
    }, t.token);
    await page.goto(`${t.apiUrl}/`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('link', { name: 'Instances', exact: true }).click();
    await page.locator('[data-instance="h1"]').waitFor();
    await page.getByRole('link', { name: 'Templates', exact: true }).click();
    await page.getByRole('heading', { name: 'Templates' }).first().waitFor();
    await page.goto(`${t.apiUrl}/api/docs/`);
    await page.locator('.swagger-ui .info').waitFor();
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs an instance’s page off the UI’s origin: it cannot read the UI’s token', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${t.apiUrl}/`);
      // The UI's session, as the sign-in page makes it (an HttpOnly cookie), and what a UI of old
      // kept in localStorage.
      const signedIn = await page.evaluate(async (token) => {
        (globalThis as unknown as BrowserGlobals).localStorage.setItem('berth-token', token);
        const res = await fetch('/api/v1/session', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token }),
        });
        return res.status;
      }, t.token);
      expect(signedIn).toBe(200);
      expect((await context.cookies()).map((c) => [c.name, c.httpOnly])).toContainEqual([
        'berth_session',
        true,
      ]);

      await page.goto(`${t.apiUrl}/i/h1/`);
      expect(new URL(page.url()).origin).toBe(proxyOrigin);
      const seen = JSON.parse((await page.locator('body').textContent()) ?? '{}') as Seen;
      expect(seen.headers.cookie ?? '').not.toContain('berth_session');
      const inInstance = await page.evaluate(() => {
        const { document, localStorage } = globalThis as unknown as BrowserGlobals;
        return { cookie: document.cookie, stored: localStorage.getItem('berth-token') };
      });
      expect(inInstance).toEqual({ cookie: '', stored: null });

      // The instance's page is still same-site with the UI (ports do not count), so the browser
      // sends the cookie along with a request it makes to the API: the Origin check refuses it.
      const stopRequest = page.waitForRequest((r) => r.url().endsWith('/api/v1/instances/h1/stop'));
      const sent = await page.evaluate(async (api) => {
        const res = await fetch(`${api}/api/v1/instances/h1/stop`, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
        });
        return res.type;
      }, t.apiUrl);
      expect(sent).toBe('opaque');
      // 403, not 401: the browser did send the cookie, and the server refused it for its Origin.
      expect((await (await stopRequest).response())?.status()).toBe(403);
      const viaCookie = await fetch(`${t.apiUrl}/api/v1/instances/h1/stop`, {
        method: 'POST',
        headers: { cookie: `berth_session=${t.token}`, origin: proxyOrigin },
      });
      expect(viaCookie.status).toBe(403);
      expect((await t.api('GET', '/instances/h1')).body.status).toBe('running');
    } finally {
      await context.close();
    }
  });
});
