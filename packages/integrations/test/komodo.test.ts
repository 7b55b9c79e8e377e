import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKomodo } from './fake-komodo.js';
import { type Harness, harness } from './harness.js';

const KEY = 'K-komodo-key-77aa';
const SECRET = 'S-komodo-secret-99bb';

describe('Komodo integration (against fake-komodo)', () => {
  let h: Harness;
  let fake: FakeKomodo;

  beforeAll(async () => {
    h = await harness();
    fake = await FakeKomodo.start({
      apiKey: KEY,
      apiSecret: SECRET,
      range: [14500, 14549],
      servers: [
        {
          id: '66aa01',
          name: 'media',
          address: 'https://192.168.1.20:8120',
          containers: [
            {
              name: 'jellyfin',
              id: 'jf01',
              image: 'jellyfin/jellyfin:10.9',
              state: 'running',
              ports: [{ IP: '0.0.0.0', PrivatePort: 8096, PublicPort: 8096, Type: 'tcp' }],
            },
            { name: 'backup', image: 'restic:0.16', state: 'exited' },
          ],
        },
        { id: '66aa02', name: 'this-box', address: 'https://localhost:8120', containers: [] },
        { id: '66aa03', name: 'gone', state: 'NotOk', address: 'https://10.9.9.9:8120', containers: [] },
      ],
    });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('tests the connection with key and secret; a wrong secret is unauthorized', async () => {
    const k = h.service.create({
      name: 'k',
      type: 'komodo',
      config: { url: fake.url, apiKey: KEY, apiSecret: SECRET },
    });
    expect(await h.service.test(k.id)).toEqual({
      ok: true,
      version: '1.18.4',
      latencyMs: expect.any(Number),
    });
    const wrong = h.service.create({
      type: 'komodo',
      config: { url: fake.url, apiKey: KEY, apiSecret: 'not-it' },
    });
    expect(wrong.name).toBe('Komodo 2');
    expect(await h.service.test(wrong.id)).toMatchObject({ ok: false, reason: 'unauthorized' });
  });

  it('scans reachable servers through POST /read and maps each to its host', async () => {
    expect(await h.service.scanNow('k')).toMatchObject({ ok: true, containers: 2, ports: 1 });
    expect(fake.seenTypes.filter((t) => t === 'ListDockerContainers')).toHaveLength(2);
    expect(h.service.results('k').map((r) => [r.host, r.containerName, r.image, r.state, r.ports])).toEqual([
      ['192.168.1.20', 'backup', 'restic:0.16', 'exited', []],
      ['192.168.1.20', 'jellyfin', 'jellyfin/jellyfin:10.9', 'running', [{ port: 8096, protocol: 'tcp' }]],
    ]);
  });

  it('the ledger names the Komodo container holding a port', async () => {
    const ext = await h.ledger.external('192.168.1.20');
    expect(ext.get('tcp/8096')?.usedBy).toBe("Komodo 'k' → container jellyfin on host 192.168.1.20");
    expect(await h.ledger.free('192.168.1.20', 1, 8096, 8097)).toEqual([8097]);
  });
});
