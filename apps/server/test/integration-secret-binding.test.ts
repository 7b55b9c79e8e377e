import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePortainer } from '../../../packages/integrations/test/fake-portainer.js';
import { startTestServer, type TestServer } from './test-server.js';

// Issue 19 §5: a stored secret goes only to the address it was entered for.
const KEY = 'ptr_BOUND_SECRET_0019';
const KOMODO_KEY = 'komodo_BOUND_KEY_0019';
const KOMODO_SECRET = 'komodo_BOUND_SECRET_0019';
let t: TestServer;
let fake: FakePortainer;
/** Another address: records every request it ever receives. */
let elsewhere: Server;
let elsewhereUrl: string;
const received: { url: string | undefined; headers: IncomingHttpHeaders }[] = [];
const leaked = () => JSON.stringify(received).match(/BOUND_(SECRET|KEY)_0019/g) ?? [];

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0 });
  fake = await FakePortainer.start({ apiKey: KEY, range: [26850, 26899], environments: [] });
  elsewhere = createServer((req, res) => {
    received.push({ url: req.url, headers: req.headers });
    res.writeHead(401).end('{}');
  });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  elsewhere?.close();
});

async function portainer(name: string): Promise<string> {
  const created = await t.api('POST', '/integrations', {
    name,
    type: 'portainer',
    autoDetect: false,
    config: { url: fake.url, apiKey: KEY },
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

describe('a stored integration secret is bound to its URL', () => {
  it('POST /integrations/test?id= with another URL and the masked key: 400 naming apiKey, nothing sent', async () => {
    const id = await portainer('draft-elsewhere');
    const res = await t.api('POST', `/integrations/test?id=${id}`, {
      type: 'portainer',
      config: { url: elsewhereUrl, apiKey: '••••' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /config\.apiKey: enter the API key again to send it to the new URL/,
    );
    const omitted = await t.api('POST', `/integrations/test?id=${id}`, {
      type: 'portainer',
      config: { url: `${elsewhereUrl}/` },
    });
    expect(omitted.status).toBe(400);
    expect(leaked()).toEqual([]);
  });

  it('PUT/PATCH of only the URL: 400, the stored URL unchanged, and a test still goes to the old one', async () => {
    const id = await portainer('put-elsewhere');
    for (const method of ['PUT', 'PATCH']) {
      const res = await t.api(method, `/integrations/${id}`, { config: { url: elsewhereUrl } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/config\.apiKey: enter the API key again/);
    }
    expect((await t.api('GET', `/integrations/${id}`)).body.config.url).toBe(fake.url);
    expect((await t.api('POST', `/integrations/${id}/test`)).body).toMatchObject({ ok: true });
    expect(leaked()).toEqual([]);
  });

  it('the same place written another way keeps the secret; a new URL with the key entered again is accepted', async () => {
    const id = await portainer('same-place');
    const port = new URL(fake.url).port;
    const same = await t.api('PATCH', `/integrations/${id}`, {
      config: { url: `HTTP://LOCALHOST:${port}/`.replace('LOCALHOST', '127.0.0.1'), apiKey: '••••' },
    });
    expect(same.status).toBe(200);
    expect((await t.api('POST', `/integrations/${id}/test`)).body).toMatchObject({ ok: true });
    const moved = await t.api('PATCH', `/integrations/${id}`, {
      config: { url: elsewhereUrl, apiKey: 'a-key-entered-for-elsewhere' },
    });
    expect(moved.status).toBe(200);
    await t.api('POST', `/integrations/${id}/test`);
    expect(JSON.stringify(received)).toContain('a-key-entered-for-elsewhere');
    expect(leaked()).toEqual([]);
  });

  it('komodo: both secrets must be entered again; one kept is named', async () => {
    const created = await t.api('POST', '/integrations', {
      name: 'km',
      type: 'komodo',
      autoDetect: false,
      config: { url: 'https://komodo.example.com', apiKey: KOMODO_KEY, apiSecret: KOMODO_SECRET },
    });
    expect(created.status).toBe(201);
    const res = await t.api('PUT', `/integrations/${created.body.id}`, {
      config: { url: elsewhereUrl, apiKey: 'new-key', apiSecret: '••••' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/config\.apiSecret: enter the API secret again/);
    expect(res.body.error.message).not.toMatch(/config\.apiKey/);
    const draft = await t.api('POST', `/integrations/test?id=${created.body.id}`, {
      type: 'komodo',
      config: { url: elsewhereUrl },
    });
    expect(draft.status).toBe(400);
    expect(leaked()).toEqual([]);
  });
});

describe('a node cannot be re-pointed at another host', () => {
  it('PATCH /nodes/:name takes only hostKey: an endpoint change is 400 naming it, and nothing connects elsewhere', async () => {
    const before = received.length;
    // Nothing listens there: added with force, as nodes are tested before they are added.
    const added = await t.api('POST', '/nodes?force=1', {
      name: 'pinned',
      config: { endpoint: 'tcp://127.0.0.1:9' },
    });
    expect(added.status).toBe(201);
    const target = `tcp://${new URL(elsewhereUrl).host}`;
    for (const body of [
      { endpoint: target },
      { config: { endpoint: target } },
      { hostKey: null, endpoint: target },
    ]) {
      const res = await t.api('PATCH', '/nodes/pinned', body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/Unrecognized key: "(endpoint|config)"/);
    }
    expect((await t.api('GET', '/nodes/pinned')).body.endpoint).toBe('tcp://127.0.0.1:9');
    expect(received.length).toBe(before);
  });
});
