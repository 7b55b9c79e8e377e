import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePortainer } from './fake-portainer.js';
import { type Harness, harness } from './harness.js';

const KEY = 'ptr_failures-key';

describe('test connection says why it failed', () => {
  let h: Harness;
  let fake: FakePortainer;
  const test = (url: string, extra: Record<string, unknown> = {}) => {
    const i = h.service.create({ type: 'portainer', config: { url, apiKey: KEY, timeout: 1, ...extra } });
    return h.service.test(i.id);
  };

  beforeAll(async () => {
    h = await harness();
    fake = await FakePortainer.start({ apiKey: KEY, range: [14450, 14499] });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('refused: nothing listens', async () => {
    expect(await test('http://127.0.0.1:14999')).toMatchObject({ ok: false, reason: 'refused' });
  });

  it('dns: the name does not resolve', async () => {
    expect(await test('http://berth-no-such-host.invalid')).toMatchObject({ ok: false, reason: 'dns' });
  });

  it('tls: https spoken to a plain http server', async () => {
    expect(await test(fake.url.replace('http:', 'https:'))).toMatchObject({ ok: false, reason: 'tls' });
  });

  it('unauthorized: a wrong key', async () => {
    expect(await test(fake.url, { apiKey: 'wrong' })).toMatchObject({ ok: false, reason: 'unauthorized' });
  });

  it("timeout: no answer within the integration's own timeout", async () => {
    // The fake answers after 5 s: 'timeout' means the integration's own (1 s) timer ended the wait.
    fake.setMode('slow', 5_000);
    expect(await test(fake.url)).toMatchObject({ ok: false, reason: 'timeout' });
    fake.setMode('ok');
  });

  it('refused: the server drops the connection', async () => {
    fake.setMode('dead');
    expect(await test(fake.url)).toMatchObject({ ok: false, reason: 'refused' });
    fake.setMode('ok');
  });
});
