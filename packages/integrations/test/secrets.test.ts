import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIntegrationTypes, SECRET_MASK, SecretKeyring } from '../src/index.js';
import { FakeKomodo } from './fake-komodo.js';
import { FakePortainer } from './fake-portainer.js';
import { type Harness, harness } from './harness.js';

const PORTAINER_KEY = 'ptr_TOPSECRET_portainer_31337';
const KOMODO_KEY = 'KOMODO_KEY_TOPSECRET_4242';
const KOMODO_SECRET = 'KOMODO_SECRET_TOPSECRET_9999';
const SECRETS = [PORTAINER_KEY, KOMODO_KEY, KOMODO_SECRET];

describe('secrets', () => {
  let h: Harness;
  let portainer: FakePortainer;
  let komodo: FakeKomodo;
  const responses: unknown[] = [];
  const keep = <T>(v: T): T => {
    responses.push(v);
    return v;
  };

  beforeAll(async () => {
    h = await harness();
    portainer = await FakePortainer.start({ apiKey: PORTAINER_KEY, range: [14800, 14849] });
    komodo = await FakeKomodo.start({ apiKey: KOMODO_KEY, apiSecret: KOMODO_SECRET, range: [14850, 14899] });
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([portainer.close(), komodo.close()]);
  });

  it('are masked in every response, kept when sent back masked, and work for test and scan', async () => {
    const p = keep(
      h.service.create({
        name: 'p',
        type: 'portainer',
        config: { url: portainer.url, apiKey: PORTAINER_KEY },
      }),
    );
    const k = keep(
      h.service.create({
        name: 'k',
        type: 'komodo',
        config: { url: komodo.url, apiKey: KOMODO_KEY, apiSecret: KOMODO_SECRET },
      }),
    );
    expect(p.config.apiKey).toBe(SECRET_MASK);
    expect(k.config).toMatchObject({ apiKey: SECRET_MASK, apiSecret: SECRET_MASK });
    keep(h.service.list());
    keep(h.service.get('k'));
    const edited = keep(h.service.update('k', { config: { ...k.config, timeout: 10 } }));
    expect(edited.config).toMatchObject({ apiKey: SECRET_MASK, timeout: 10 });
    expect(keep(await h.service.test('k'))).toMatchObject({ ok: true });
    expect(keep(await h.service.test('p'))).toMatchObject({ ok: true });
    expect(keep(await h.service.scanNow('p'))).toMatchObject({ ok: true });
    expect(
      keep(
        await h.service.testDraft({ type: 'komodo', config: { url: komodo.url, apiKey: SECRET_MASK } }, 'k'),
      ),
    ).toMatchObject({ ok: true });
    keep(h.service.update('p', { config: { apiKey: 'ptr_wrong' } }));
    expect(keep(await h.service.test('p'))).toMatchObject({ ok: false, reason: 'unauthorized' });
    keep(await h.service.scanNow('p'));
    keep(h.service.get('p'));
    keep(describeIntegrationTypes());
    expect(() =>
      h.service.create({ type: 'komodo', config: { url: komodo.url, apiKey: 7, apiSecret: '' } }),
    ).toThrow(/config\.apiKey.*config\.apiSecret: API secret is required/);
  });

  it('never appear in a response, a log line, or the database file', () => {
    const text = JSON.stringify(responses);
    const logs = h.lines.join('');
    expect(h.lines.length).toBeGreaterThan(5);
    const files = readdirSync(h.home).filter((f) => f.startsWith('berth.db'));
    const db = files.map((f) => readFileSync(join(h.home, f)).toString('latin1')).join('');
    for (const secret of SECRETS) {
      expect(text).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(db).not.toContain(secret);
    }
    expect(text).toContain(SECRET_MASK);
  });

  it('the key file is created with mode 0600; rotateKey re-seals every integration in one go', async () => {
    const file = join(h.home, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = h.store.integrations.list().map((i) => i.secrets);
    const oldId = h.secrets.currentKeyId;
    const { keyId, resealed } = h.secrets.rotateKey(h.store);
    expect(keyId).not.toBe(oldId);
    expect(resealed).toBe(2);
    const after = h.store.integrations.list().map((i) => i.secrets);
    after.forEach((blob, n) => {
      expect(blob).not.toBe(before[n]);
      expect(blob).toContain(`.${keyId}.`);
    });
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const reloaded = SecretKeyring.load(h.home);
    expect(reloaded.open(h.store.integrations.findByName('k')!.secrets)).toEqual({
      apiKey: KOMODO_KEY,
      apiSecret: KOMODO_SECRET,
    });
    expect(await h.service.test('k')).toMatchObject({ ok: true });
    expect(h.lines.join('')).not.toContain(KOMODO_SECRET);
  });

  it('a blob sealed by another key, or tampered with, is refused', () => {
    const blob = h.store.integrations.findByName('k')!.secrets!;
    const other = SecretKeyring.load(mkdtempSync(join(tmpdir(), 'berth-otherkey-')));
    expect(() => other.open(blob)).toThrow(/cannot be opened/);
    const parts = blob.split('.');
    parts[4] = Buffer.from('{"apiKey":"x"}').toString('base64url');
    expect(() => h.secrets.open(parts.join('.'))).toThrow();
  });
});
