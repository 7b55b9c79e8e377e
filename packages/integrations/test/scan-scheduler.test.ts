import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKomodo } from './fake-komodo.js';
import { FakePortainer } from './fake-portainer.js';
import { eventually, type Harness, harness } from './harness.js';

const KEY = 'ptr_sched-key';

describe('ScanScheduler', () => {
  let h: Harness;
  let healthy: FakePortainer;
  let slow: FakePortainer;
  let dead: FakeKomodo;

  beforeAll(async () => {
    h = await harness();
    const environments = [
      {
        Id: 1,
        Name: 'e',
        Type: 1,
        URL: 'tcp://10.1.1.1:2375',
        containers: [
          {
            Id: 'a1',
            Names: ['/app'],
            Image: 'app',
            State: 'running',
            Ports: [{ PublicPort: 7000, PrivatePort: 7000, Type: 'tcp' }],
          },
        ],
      },
    ];
    healthy = await FakePortainer.start({ apiKey: KEY, range: [14650, 14699], environments });
    slow = await FakePortainer.start({ apiKey: KEY, range: [14700, 14749], environments });
    slow.setMode('slow', 30_000);
    dead = await FakeKomodo.start({ apiKey: 'k', apiSecret: 's', range: [14750, 14799] });
    dead.setMode('dead');
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([healthy.close(), slow.close(), dead.close()]);
  });

  it('a slow and a dead endpoint record their errors without delaying the healthy one', async () => {
    const slowOne = h.service.create({
      name: 'slow',
      type: 'portainer',
      config: { url: slow.url, apiKey: KEY, timeout: 2 },
    });
    const deadOne = h.service.create({
      name: 'dead',
      type: 'komodo',
      config: { url: dead.url, apiKey: 'k', apiSecret: 's' },
    });
    const good = h.service.create({
      name: 'good',
      type: 'portainer',
      config: { url: healthy.url, apiKey: KEY },
    });
    h.scheduler.start();
    expect(h.scheduler.scheduled().sort()).toEqual([slowOne.id, deadOne.id, good.id].sort());

    await eventually(() => h.service.get('good').lastScanStatus === 'ok');
    // Not delayed: the healthy scan is done while the slow one still runs (no stopwatch, which a
    // loaded machine would make lie).
    expect(h.service.get('slow').scanning).toBe(true);
    expect(h.service.get('dead')).toMatchObject({
      lastScanStatus: 'error',
      lastScanError: expect.stringMatching(/refused/),
    });

    await eventually(() => h.service.get('slow').lastScanStatus === 'error');
    expect(h.service.get('slow').lastScanError).toMatch(/did not answer in time/);
    expect((await h.ledger.external('10.1.1.1')).get('tcp/7000')?.usedBy).toBe(
      "Portainer 'good' → container app on host 10.1.1.1",
    );
  });

  it('scans of one integration never overlap: asking during a scan joins it', async () => {
    const before = healthy.seenPaths.length;
    const [a, b] = await Promise.all([h.service.scanNow('good'), h.service.scanNow('good')]);
    expect(a).toBe(b);
    expect(healthy.seenPaths.length - before).toBe(2);
  });

  it('restarts, stops and ends timers with their integration', async () => {
    const good = h.service.get('good');
    h.service.update('good', { autoDetect: false });
    expect(h.scheduler.scheduled()).not.toContain(good.id);
    h.service.update('good', { autoDetect: true, scanIntervalSeconds: 120 });
    expect(h.scheduler.scheduled()).toContain(good.id);
    h.service.update('dead', { enabled: false });
    h.service.remove('slow');
    expect(h.scheduler.scheduled()).toEqual([good.id]);
    await h.scheduler.stop();
    expect(h.scheduler.scheduled()).toEqual([]);
  });
});
