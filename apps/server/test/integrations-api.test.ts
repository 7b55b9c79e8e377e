import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePortainer } from '../../../packages/integrations/test/fake-portainer.js';
import { startTestServer, type TestServer } from './test-server.js';

const KEY = 'ptr_API_TEST_SECRET_0042';
let t: TestServer;
let fake: FakePortainer;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0 });
  fake = await FakePortainer.start({
    apiKey: KEY,
    range: [26800, 26849],
    environments: [
      {
        Id: 1,
        Name: 'b',
        Type: 2,
        URL: 'tcp://10.0.0.8:9001',
        containers: [
          {
            Id: 'x1',
            Names: ['/x'],
            Image: 'nginx',
            State: 'running',
            Ports: [{ PrivatePort: 80, PublicPort: 8088, Type: 'tcp' }],
          },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('/api/v1/integrations', () => {
  it('serves each type with its config as JSON Schema', async () => {
    const res = await t.api('GET', '/integrations/types');
    expect(res.status).toBe(200);
    expect(res.body.map((x: { type: string }) => x.type)).toEqual(['docker', 'portainer', 'komodo']);
    expect(res.body[1].configSchema.properties.apiKey.writeOnly).toBe(true);
  });

  it('creates, tests, scans, lists and deletes — secrets masked throughout', async () => {
    const created = await t.api('POST', '/integrations', {
      name: 'prod',
      type: 'portainer',
      enabled: true,
      autoDetect: false,
      scanIntervalSeconds: 120,
      config: { url: fake.url, apiKey: KEY },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'prod',
      config: { apiKey: '••••' },
      scanIntervalSeconds: 120,
    });
    const id = created.body.id;
    expect((await t.api('POST', `/integrations/${id}/test`)).body).toMatchObject({
      ok: true,
      version: '2.21.4',
    });
    expect((await t.api('POST', `/integrations/${id}/scan`)).body).toMatchObject({ ok: true, containers: 1 });
    const ports = await t.api('GET', '/ports?host=10.0.0.8');
    expect(ports.body).toEqual([
      expect.objectContaining({
        port: 8088,
        ownerKind: 'scan',
        owner: "Portainer 'prod' → container x on host 10.0.0.8",
      }),
    ]);
    const all = await t.api('GET', '/ports?allHosts=1');
    expect(all.body.map((h: { host: string }) => h.host)).toEqual(['local', '10.0.0.8']);
    const patched = await t.api('PATCH', `/integrations/${id}`, {
      config: { apiKey: '••••', verifySsl: false },
    });
    expect(patched.body.config).toMatchObject({ apiKey: '••••', verifySsl: false });
    const list = await t.api('GET', '/integrations');
    expect(JSON.stringify([created.body, patched.body, list.body])).not.toContain(KEY);
    expect((await t.api('DELETE', `/integrations/${id}`)).status).toBe(204);
    expect((await t.api('GET', `/integrations/${id}`)).status).toBe(404);
  });

  it('answers 400 naming the field for a bad config, and a too short interval', async () => {
    const bad = await t.api('POST', '/integrations', { type: 'komodo', config: { url: 'nope' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/config\.url/);
    const short = await t.api('POST', '/integrations', {
      type: 'docker',
      scanIntervalSeconds: 10,
      config: {},
    });
    expect(short.status).toBe(400);
  });

  it('rotates the secrets key: a new key id, every integration re-sealed, still usable', async () => {
    const created = await t.api('POST', '/integrations', {
      name: 'r',
      type: 'portainer',
      config: { url: fake.url, apiKey: KEY },
    });
    const before = t.server.berth.store.integrations.find(created.body.id)?.secrets;
    const rotated = await t.api('POST', '/integrations/rotate-key');
    expect(rotated.body).toMatchObject({ keyId: expect.any(String), resealed: 1 });
    expect(t.server.berth.store.integrations.find(created.body.id)?.secrets).not.toBe(before);
    expect((await t.api('POST', `/integrations/${created.body.id}/test`)).body).toMatchObject({ ok: true });
  });
});

describe('/api/v1/import', () => {
  it('imports legacy settings once, with a backup first', async () => {
    const settings = {
      komodo_enabled: 'true',
      komodo_url: 'https://komodo.example.com',
      komodo_api_key: 'a',
      komodo_api_secret: 'b',
    };
    const first = await t.api('POST', '/import/legacy-settings', settings);
    expect(first.body).toMatchObject({
      backup: expect.stringContaining('legacy-import'),
      created: [{ name: 'Default Komodo' }],
    });
    expect((await t.api('POST', '/import/legacy-settings', settings)).body).toEqual({
      backup: null,
      created: [],
      skipped: [],
    });
  });

  it('answers 400 naming the field for a registry that is not one', async () => {
    const res = await t.api('POST', '/import/service-registry', [{ template: 'x', port: 'eighty' }]);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('registry.0.port');
  });
});
