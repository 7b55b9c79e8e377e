import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig, type RunningServer, startServer } from '../src/index.js';
import { createLogger } from '../src/logger.js';

// Every port here is port 0: berth's API and proxy, the HTTP receiver and the SMTP sink.

/** What the receiver got: the path (which channel) and the JSON body. */
interface Received {
  path: string;
  body: Record<string, unknown>;
}

const TOKEN = 'test-admin-token';
const SMTP_PASSWORD = 'smtp-pass-never-shown';
/** The secret part of every webhook URL: a token in the path, as Slack's and Discord's carry. */
const HOOK_TOKEN = 'T0KEN-in-the-path-xyz';

let home: string;
let server: RunningServer;
let receiver: Server;
let hookBase: string;
let smtp: SMTPServer;
let smtpPort: number;
const received: Received[] = [];
const mails: { from: string; to: string[]; data: string }[] = [];
let flakyCalls = 0;
const logLines: string[] = [];

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as any };
}

async function until<T>(
  what: string,
  read: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const path = req.url ?? '';
      if (path.startsWith('/flaky') && ++flakyCalls <= 2) {
        res.statusCode = 500;
        return res.end('not now');
      }
      received.push({ path, body: JSON.parse(raw) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'berth' && auth.password === SMTP_PASSWORD) return cb(null, { user: 'berth' });
      cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c) => {
        data += c;
      });
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  home = mkdtempSync(join(tmpdir(), 'berth-notifications-'));
  mkdirSync(join(home, 'templates'));
  // Exits with code 3 a moment after it starts; one restart, then berth gives up. Not at once: a
  // program gone before berth has looked at it is a failed deploy, which no restart follows.
  const crasher = {
    name: 'crasher',
    source: {
      kind: 'command',
      command: process.execPath,
      args: ['-e', 'setTimeout(() => process.exit(3), 500)'],
    },
    restart: { policy: 'on-failure', maxRetries: 1, backoffSeconds: 0.2 },
  };
  writeFileSync(join(home, 'templates', 'crasher.json'), JSON.stringify(crasher));
  const config = loadServerConfig(
    { home, port: 0, proxyPort: 0, logLevel: 'debug' },
    { BERTH_ADMIN_TOKEN: TOKEN },
  );
  const logs = new PassThrough();
  logs.on('data', (c: Buffer) => logLines.push(c.toString()));
  server = await startServer(config, { announce: false, log: createLogger('debug', 'json', logs) });
}, 60_000);

afterAll(async () => {
  for (const i of server?.berth.instances.list() ?? [])
    await server.berth.instances.remove(i.id).catch(() => {});
  await server?.close();
  receiver?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('notification channels', () => {
  it('adds webhook, slack, discord and email channels; secrets are sealed and masked', async () => {
    for (const kind of ['webhook', 'slack', 'discord'] as const) {
      const added = await api('POST', '/notifications/channels', {
        name: `${kind}-hook`,
        kind,
        config: { url: `${hookBase}/${kind}/${HOOK_TOKEN}` },
      });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ kind, target: hookBase, config: { url: '••••' } });
    }
    const mail = await api('POST', '/notifications/channels', {
      name: 'ops-mail',
      kind: 'email',
      config: {
        host: '127.0.0.1',
        port: smtpPort,
        username: 'berth',
        password: SMTP_PASSWORD,
        from: 'berth@example.test',
        to: ['ops@example.test'],
      },
    });
    expect(mail.status).toBe(201);
    expect(mail.body.config).toMatchObject({ password: '••••', host: '127.0.0.1' });

    const list = await api('GET', '/notifications/channels');
    expect(list.body.map((c: { name: string }) => c.name)).toEqual([
      'discord-hook',
      'ops-mail',
      'slack-hook',
      'webhook-hook',
    ]);
    expect(list.text).not.toContain(HOOK_TOKEN);
    expect(list.text).not.toContain(SMTP_PASSWORD);
    const one = await api('GET', '/notifications/channels/slack-hook');
    expect(one.text).not.toContain(HOOK_TOKEN);
    const db = (await import('node:fs')).readFileSync(join(home, 'berth.db'));
    expect(db.includes(HOOK_TOKEN)).toBe(false);
    expect(db.includes(SMTP_PASSWORD)).toBe(false);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const bad = await api('POST', '/notifications/channels', {
      name: 'bad',
      kind: 'slack',
      config: { url: 'not a url' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('body.config.url: must be an http(s) URL');
    expect(bad.text).not.toContain('Invalid input');
    const ftp = await api('POST', '/notifications/channels', {
      name: 'bad',
      kind: 'webhook',
      config: { url: 'ftp://example.test/hook' },
    });
    expect(ftp.status).toBe(400);
    expect(ftp.body.error.message).toContain('must be an http(s) URL');
    const badMail = await api('POST', '/notifications/channels', {
      name: 'bad-mail',
      kind: 'email',
      config: { host: 'h', from: 'nobody', to: ['a@b.test'] },
    });
    expect(badMail.status).toBe(400);
    expect(badMail.text).toContain('from');
  });

  it('"send a test" reaches each webhook kind in its own JSON shape, and the SMTP sink', async () => {
    for (const name of ['webhook-hook', 'slack-hook', 'discord-hook', 'ops-mail']) {
      expect((await api('POST', `/notifications/channels/${name}/test`)).status).toBe(202);
    }
    const test = (kind: string) =>
      until(`a test on ${kind}`, () => received.find((r) => r.path.startsWith(`/${kind}/`)));
    expect((await test('webhook')).body).toMatchObject({ source: 'berth', rule: 'test', severity: 'info' });
    expect((await test('slack')).body.text).toMatch(/berth test notification/);
    const discord = (await test('discord')).body as { content: string; embeds: { description: string }[] };
    expect(discord.content).toMatch(/berth test notification/);
    expect(discord.embeds[0]?.description).toMatch(/channel discord-hook works/);
    const mail = await until('the test e-mail', () => mails[0]);
    expect(mail.to).toEqual(['ops@example.test']);
    expect(mail.data).toMatch(/Subject: \[berth\] berth test notification/);
    const shown = await until('the delivery on the channel', async () => {
      const c = (await api('GET', '/notifications/channels/ops-mail')).body;
      return c.lastDeliveryAt ? c : undefined;
    });
    expect(shown.lastError).toBeNull();
  });

  it('a crash loop and the give-up reach the webhooks', async () => {
    const created = await api('POST', '/instances', { template: 'crasher', name: 'crasher-1' });
    expect(created.status).toBe(201);
    for (const kind of ['webhook', 'slack', 'discord']) {
      await until(`gave-up on ${kind}`, () =>
        received.find((r) => r.path.startsWith(`/${kind}/`) && JSON.stringify(r.body).includes('gave up')),
      );
    }
    const generic = received.filter((r) => r.path.startsWith('/webhook/')).map((r) => r.body);
    expect(generic).toContainEqual(expect.objectContaining({ rule: 'crash-loop', instance: 'crasher-1' }));
    expect(generic).toContainEqual(expect.objectContaining({ rule: 'gave-up', instance: 'crasher-1' }));
    const slack = received.filter((r) => r.path.startsWith('/slack/')).map((r) => String(r.body.text));
    expect(slack.some((t) => t.includes('crasher-1 crashed'))).toBe(true);
  }, 60_000);

  it('a receiver answering 500 twice gets the message on the third try; the channel shows the error meanwhile', async () => {
    const added = await api('POST', '/notifications/channels', {
      name: 'flaky',
      kind: 'webhook',
      config: { url: `${hookBase}/flaky/${HOOK_TOKEN}` },
    });
    expect(added.status).toBe(201);
    expect((await api('POST', '/notifications/channels/flaky/test')).status).toBe(202);
    const failing = await until('the first error on the channel', async () => {
      const c = (await api('GET', '/notifications/channels/flaky')).body;
      return c.lastError ? c : undefined;
    });
    expect(failing.lastError).toMatch(/HTTP 500/);
    expect(failing.lastDeliveryAt).toBeNull();
    const got = await until('the third try', () => received.find((r) => r.path.startsWith('/flaky/')));
    expect(got.body).toMatchObject({ rule: 'test' });
    expect(flakyCalls).toBe(3);
    const healed = await until('the delivery on the channel', async () => {
      const c = (await api('GET', '/notifications/channels/flaky')).body;
      return c.lastDeliveryAt ? c : undefined;
    });
    expect(healed.lastError).toBeNull();
  }, 60_000);

  it('a rotation of the secrets key re-seals the channels: they still deliver', async () => {
    expect((await api('POST', '/integrations/rotate-key')).status).toBe(200);
    const before = received.filter((r) => r.path.startsWith('/webhook/')).length;
    expect((await api('POST', '/notifications/channels/webhook-hook/test')).status).toBe(202);
    await until('a test after the rotation', () =>
      received.filter((r) => r.path.startsWith('/webhook/')).length > before ? true : undefined,
    );
    expect((await api('GET', '/notifications/channels/webhook-hook')).body.config).toEqual({ url: '••••' });
  }, 60_000);

  it('keeps a masked secret on replace, removes, and never logs a secret', async () => {
    const replaced = await api('PUT', '/notifications/channels/slack-hook', {
      name: 'slack-hook',
      kind: 'slack',
      config: { url: '••••' },
      rules: { crashLoop: false, unhealthy: true },
    });
    expect(replaced.status).toBe(200);
    // Rules left out of the body are on (nodeUnreachable, builds, portConflict).
    expect(replaced.body.rules).toEqual({
      crashLoop: false,
      unhealthy: true,
      nodeUnreachable: true,
      buildFailed: true,
      buildSucceeded: true,
      portConflict: true,
    });
    expect(replaced.body.target).toBe(hookBase);
    expect((await api('DELETE', '/notifications/channels/slack-hook')).status).toBe(204);
    expect((await api('GET', '/notifications/channels/slack-hook')).status).toBe(404);
    const logs = logLines.join('');
    expect(logs).toContain('Notification not delivered; retrying');
    expect(logs).not.toContain(HOOK_TOKEN);
    expect(logs).not.toContain(SMTP_PASSWORD);
  });
});
