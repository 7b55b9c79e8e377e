import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortainerContainer } from '../src/index.js';
import { FakePortainer } from './fake-portainer.js';
import { type Harness, harness } from './harness.js';

const KEY = 'ptr_portainer-test-key-5f1c';

function container(name: string, state: string, ports: PortainerContainer['Ports'] = []): PortainerContainer {
  return {
    Id: `${name}-0123456789abcdef`,
    Names: [`/${name}`],
    Image: `${name}:latest`,
    State: state,
    Ports: ports,
  };
}

describe('Portainer integration (against fake-portainer)', () => {
  let h: Harness;
  let fake: FakePortainer;

  beforeAll(async () => {
    h = await harness();
    fake = await FakePortainer.start({
      apiKey: KEY,
      range: [14400, 14449],
      environments: [
        {
          Id: 1,
          Name: 'local',
          Type: 1,
          URL: 'unix:///var/run/docker.sock',
          containers: [
            container('portainer', 'running', [
              { IP: '0.0.0.0', PrivatePort: 9000, PublicPort: 49180, Type: 'tcp' },
            ]),
            {
              ...container('berth-web-1', 'running', [{ PrivatePort: 80, PublicPort: 49181, Type: 'tcp' }]),
              Labels: { 'berth.managed': 'true' },
            },
          ],
        },
        {
          Id: 2,
          Name: 'edge-b',
          Type: 2,
          URL: 'tcp://10.0.0.5:9001',
          containers: [
            container('api', 'running', [
              { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
              { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
              { IP: '0.0.0.0', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
              { PrivatePort: 9090, Type: 'tcp' },
            ]),
            container('old', 'exited', [{ PrivatePort: 80, Type: 'tcp' }]),
          ],
        },
        { Id: 3, Name: 'k8s', Type: 5, URL: 'https://k8s:6443', containers: [] },
      ],
    });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('tests the connection: version and latency with the right key, unauthorized with a wrong one', async () => {
    const good = h.service.create({
      name: 'prod',
      type: 'portainer',
      config: { url: fake.url, apiKey: KEY },
    });
    expect(await h.service.test(good.id)).toEqual({
      ok: true,
      version: '2.21.4',
      latencyMs: expect.any(Number),
    });
    const bad = h.service.create({
      name: 'wrong',
      type: 'portainer',
      config: { url: fake.url, apiKey: 'nope' },
    });
    expect(await h.service.test(bad.id)).toMatchObject({ ok: false, reason: 'unauthorized' });
    const scan = await h.service.scanNow(bad.id);
    expect(scan).toMatchObject({ ok: false, reason: 'unauthorized' });
    expect(h.service.get(bad.id)).toMatchObject({
      lastScanStatus: 'error',
      lastScanError: expect.stringContaining('401'),
    });
    h.service.remove(bad.id);
  });

  it("scans every Docker environment: containers per host, ports once per protocol, berth's own left out", async () => {
    const outcome = await h.service.scanNow('prod');
    expect(outcome).toMatchObject({ ok: true, containers: 3, ports: 3 });
    const rows = h.service.results('prod');
    expect(rows.map((r) => [r.host, r.containerName, r.state, r.ports])).toEqual([
      [
        '10.0.0.5',
        'api',
        'running',
        [
          { port: 5353, protocol: 'udp' },
          { port: 8080, protocol: 'tcp' },
        ],
      ],
      ['10.0.0.5', 'old', 'exited', []],
      ['local', 'portainer', 'running', [{ port: 49180, protocol: 'tcp' }]],
    ]);
    expect(fake.seenPaths).not.toContain('/api/endpoints/3/docker/containers/json');
    expect(h.service.get('prod')).toMatchObject({
      lastScanStatus: 'ok',
      lastScanError: null,
      containerCount: 3,
      portCount: 3,
      hosts: ['10.0.0.5', 'local'],
    });
  });

  it('the ledger counts scanned ports as taken on their host, in words', async () => {
    const inventory = await h.ledger.inventory('10.0.0.5');
    expect(inventory).toEqual([
      {
        port: 5353,
        protocol: 'udp',
        ownerKind: 'scan',
        owner: "Portainer 'prod' → container api on host 10.0.0.5",
        instanceId: null,
      },
      {
        port: 8080,
        protocol: 'tcp',
        ownerKind: 'scan',
        owner: "Portainer 'prod' → container api on host 10.0.0.5",
        instanceId: null,
      },
    ]);
    expect(await h.ledger.free('10.0.0.5', 1, 8080, 8090)).toEqual([8081]);
    expect((await h.ledger.inventory('local')).map((r) => [r.port, r.owner])).toEqual([
      [49180, "Portainer 'prod' → container portainer"],
    ]);
    h.service.update('prod', { enabled: false });
    expect(await h.ledger.inventory('10.0.0.5')).toEqual([]);
    h.service.update('prod', { enabled: true });
  });

  it('scans only the chosen environments', async () => {
    h.service.update('prod', { config: { environments: [2] } });
    await h.service.scanNow('prod');
    expect(h.service.get('prod').hosts).toEqual(['10.0.0.5']);
  });
});
