import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

// Issue 15 §5: the proxy served whichever port came first. Ports 25100–25199 belong to this file.

/** A command template with two ports, each answering its own name: `metrics` declared first. */
function twoPortTemplate(name: string, from: number, extra: object = {}) {
  const script = [
    "const http=require('http');",
    "for(const [port,say] of [[process.env.PORT,'http'],[process.env.METRICS_PORT,'metrics']])",
    "http.createServer((q,r)=>r.end(say+' of '+process.env.BERTH_INSTANCE+' '+q.url)).listen(port);",
  ].join('');
  return {
    name,
    source: { kind: 'command', command: process.execPath, args: ['-e', script] },
    ports: [
      { name: 'metrics', env: 'METRICS_PORT', preferred: from, range: [from, from + 24] },
      { name: 'http', env: 'PORT', preferred: from + 25, range: [from + 25, from + 49] },
    ],
    readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
    ...extra,
  };
}

let t: TestServer;

/** A GET on the proxy port with `Host: <host>.localhost:<proxy port>`. */
function viaHost(host: string, path = '/') {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: t.proxyPort, path, headers: { host: `${host}.localhost:${t.proxyPort}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function viaPath(name: string, path = '/') {
  const res = await fetch(`http://127.0.0.1:${t.proxyPort}/i/${name}${path}`);
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [twoPortTemplate('duo', 25100), twoPortTemplate('duo-m', 25150, { proxy: 'metrics' })],
  });
  for (const [template, name] of [
    ['duo', 'pair'],
    ['duo-m', 'flip'],
  ]) {
    const created = await t.api('POST', '/instances?wait=1', { template, name });
    expect(created.body.status, JSON.stringify(created.body)).toBe('running');
  }
}, 60_000);
afterAll(() => t?.close());

describe('which port the proxy serves', () => {
  it('<name>.localhost and /i/<name>/ serve the port named http, not the first declared', async () => {
    expect(await viaHost('pair', '/a')).toEqual({ status: 200, text: 'http of pair /a' });
    expect(await viaPath('pair', '/a')).toEqual({ status: 200, text: 'http of pair /a' });
  });

  it('<port>.<name>.localhost reaches each named port', async () => {
    expect(await viaHost('metrics.pair', '/m')).toEqual({ status: 200, text: 'metrics of pair /m' });
    expect(await viaHost('http.pair', '/h')).toEqual({ status: 200, text: 'http of pair /h' });
    const unknown = await viaHost('admin.pair');
    expect(unknown.status).toBe(502);
    expect(unknown.text).toContain('no proxied port “admin”: its proxied ports are metrics, http');
  });

  it('one keep-alive connection moving between ports of one instance reaches each', async () => {
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (host: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: t.proxyPort, path: '/', agent, headers: { host: `${host}.localhost` } },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await get('pair')).toBe('http of pair /');
    expect(await get('metrics.pair')).toBe('metrics of pair /');
    expect(await get('pair')).toBe('http of pair /');
    agent.destroy();
  });

  it('`proxy: metrics` makes metrics the default; http stays reachable by name', async () => {
    expect(await viaHost('flip')).toEqual({ status: 200, text: 'metrics of flip /' });
    expect(await viaPath('flip')).toEqual({ status: 200, text: 'metrics of flip /' });
    expect(await viaHost('http.flip')).toEqual({ status: 200, text: 'http of flip /' });
  });

  it('the instance view says which port each link targets', async () => {
    const { body } = await t.api('GET', '/instances/pair');
    const port = (name: string) => body.ports[name] as number;
    expect(body.url).toBe(`http://127.0.0.1:${port('http')}/`);
    expect(body.proxyUrl).toBe(`http://pair.localhost:${t.proxyPort}/`);
    expect(body.links).toEqual([
      {
        port: 'metrics',
        hostPort: port('metrics'),
        primary: false,
        url: `http://127.0.0.1:${port('metrics')}/`,
        proxyUrl: `http://metrics.pair.localhost:${t.proxyPort}/`,
      },
      {
        port: 'http',
        hostPort: port('http'),
        primary: true,
        url: `http://127.0.0.1:${port('http')}/`,
        proxyUrl: `http://http.pair.localhost:${t.proxyPort}/`,
      },
    ]);
    for (const link of body.links) {
      const text = await (await fetch(link.url)).text();
      expect(text).toBe(`${link.port} of pair /`);
    }
    const listed = (await t.api('GET', '/instances')).body.find((i: { name: string }) => i.name === 'flip');
    expect(listed.url).toBe(`http://127.0.0.1:${listed.ports.metrics}/`);
    expect(listed.links.map((l: { port: string; primary: boolean }) => [l.port, l.primary])).toEqual([
      ['metrics', true],
      ['http', false],
    ]);
  });

  it('a template whose proxy: names no tcp port is refused, naming the field', async () => {
    const res = await t.api('POST', '/templates', twoPortTemplate('bad', 25190, { proxy: 'admin' }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toMatch(/proxy/);
    expect(JSON.stringify(res.body.error)).toContain("names no port 'admin'");
  });
});
