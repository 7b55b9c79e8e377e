import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePortPair, PORT_BLOCKS } from '../../../test/port-blocks.js';
import {
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  createToken,
  ROOT,
  type RunningBerth,
  signIn,
  startBerth,
} from './berth-harness.js';

/**
 * The Notifications page in a real browser against a real `berth serve`: channels of each kind
 * added, edited and removed with their rules, "Send a test" reaching a local HTTP receiver and a
 * local SMTP sink, a failing receiver's error on its channel, secrets never shown back, a phone's
 * width. Ports 23600–23699 (test/port-blocks.ts): berth's API and proxy at +0 and +1 (its
 * template +10…+59); the receiver and the SMTP sink take port 0.
 */

const SHOTS = join(ROOT, 'test-artifacts/ui');
const [FIRST] = PORT_BLOCKS['web/ui-notifications.e2e'];
/** The token in a webhook URL's path, and an SMTP password: never on the page once saved. */
const HOOK_TOKEN = 'T0KEN-hook-4f2a';
const SMTP_PASSWORD = 'smtp-pw-9c1d';

interface Hook {
  path: string;
  body: { rule?: string; text?: string; content?: string };
}
interface ChannelView {
  name: string;
  kind: string;
  config: Record<string, unknown>;
  rules: Record<string, boolean>;
}

describe('web UI: notification channels', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;
  let receiver: Server;
  let hookBase: string;
  let smtp: SMTPServer;
  let smtpPort: number;
  const hooks: Hook[] = [];
  const mails: string[] = [];
  const consoleErrors: string[] = [];

  const dialog = () => page.getByRole('dialog');
  const block = (name: string) => page.locator(`[data-channel="${name}"]`);
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const until = async <T>(what: string, read: () => T | undefined, ms = 20_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = read();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        const path = req.url ?? '';
        if (path.startsWith('/broken/')) {
          res.statusCode = 500;
          return res.end('down for maintenance');
        }
        hooks.push({ path, body: JSON.parse(raw) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const address = receiver.address();
    hookBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'berth' && auth.password === SMTP_PASSWORD) return cb(null, { user: 'berth' });
        cb(new Error('bad credentials'));
      },
      onData(stream, _session, cb) {
        let data = '';
        stream.on('data', (c) => {
          data += c;
        });
        stream.on('end', () => {
          mails.push(data);
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    const smtpAddress = smtp.server.address();
    smtpPort = typeof smtpAddress === 'object' && smtpAddress ? smtpAddress.port : 0;

    berth = await startBerth(await freePortPair(FIRST, FIRST + 40));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await signIn(page, berth);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      await page.screenshot({
        path: join(SHOTS, `failed-notifications-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await berth?.stop();
    receiver?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  }, 60_000);

  it('adds a webhook channel with its rules; the URL is never shown back', async () => {
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByText('No channel yet').waitFor();
    await page.getByRole('button', { name: 'Add channel' }).click();
    await dialog().getByLabel('Name', { exact: true }).fill('team-hook');
    await dialog()
      .getByRole('radio', { name: /Webhook/ })
      .check();
    await dialog().getByLabel('Webhook URL', { exact: true }).fill(`${hookBase}/ok/${HOOK_TOKEN}`);
    await dialog().getByLabel('Build succeeded', { exact: true }).uncheck();
    await shot('notification-modal');
    await dialog().getByRole('button', { name: 'Add channel' }).click();
    await block('team-hook').waitFor();
    await expect(block('team-hook').textContent()).resolves.toContain(hookBase);
    const told = await block('team-hook').locator('dd').nth(1).textContent();
    expect(told).toContain('Node unreachable');
    expect(told).not.toContain('Build succeeded');
    expect(await page.content()).not.toContain(HOOK_TOKEN);
    const [stored] = await apiGet<ChannelView[]>(berth, '/notifications/channels');
    expect(stored).toMatchObject({ name: 'team-hook', kind: 'webhook', config: { url: '••••' } });
    expect(stored?.rules).toMatchObject({ buildSucceeded: false, buildFailed: true, portConflict: true });
  });

  it('"Send a test" reaches the receiver and the channel says delivered', async () => {
    await block('team-hook').getByRole('button', { name: 'Send a test to team-hook' }).click();
    const got = await until('the test', () => hooks.find((h) => h.path.startsWith('/ok/')));
    expect(got.body.rule).toBe('test');
    await block('team-hook').locator('[data-status="delivered"]').waitFor();
  });

  it('shows a failing receiver’s error on its channel', async () => {
    await page.getByRole('button', { name: 'Add channel' }).click();
    await dialog().getByLabel('Name', { exact: true }).fill('broken-slack');
    await dialog().getByRole('radio', { name: /Slack/ }).check();
    await dialog().getByLabel('Webhook URL', { exact: true }).fill(`${hookBase}/broken/${HOOK_TOKEN}`);
    await dialog().getByRole('button', { name: 'Add channel' }).click();
    await block('broken-slack').getByRole('button', { name: 'Send a test to broken-slack' }).click();
    await block('broken-slack')
      .getByText(/Last failure.*HTTP 500/)
      .waitFor();
    await block('broken-slack').locator('[data-status="failing"]').waitFor();
    expect(await page.content()).not.toContain(HOOK_TOKEN);
    await shot('notifications-failing');
  });

  it('refuses bad input next to its field', async () => {
    await page.getByRole('button', { name: 'Add channel' }).click();
    await dialog().getByLabel('Name', { exact: true }).fill('bad');
    await dialog()
      .getByRole('radio', { name: /Discord/ })
      .check();
    await dialog().getByLabel('Webhook URL', { exact: true }).fill('not a url');
    await dialog().getByRole('button', { name: 'Add channel' }).click();
    await dialog().locator('#channel-url[aria-invalid="true"]').waitFor();
    await dialog().locator('.field-error').first().waitFor();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
  });

  it('adds an e-mail channel; editing keeps the SMTP password it never shows', async () => {
    await page.getByRole('button', { name: 'Add channel' }).click();
    await dialog().getByLabel('Name', { exact: true }).fill('ops-mail');
    await dialog()
      .getByRole('radio', { name: /E-mail/ })
      .check();
    await dialog().getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await dialog().getByLabel('Port', { exact: true }).fill(String(smtpPort));
    await dialog().getByLabel('User name', { exact: true }).fill('berth');
    await dialog().getByLabel('Password', { exact: true }).fill(SMTP_PASSWORD);
    await dialog().getByLabel('From', { exact: true }).fill('berth@example.test');
    await dialog().getByLabel('To', { exact: true }).fill('ops@example.test, dev@example.test');
    await dialog().getByRole('button', { name: 'Add channel' }).click();
    await block('ops-mail').waitFor();

    await block('ops-mail').getByRole('button', { name: 'Edit ops-mail' }).click();
    await expect(dialog().getByLabel('Password', { exact: true }).inputValue()).resolves.toBe('');
    expect(await dialog().getByLabel('Password', { exact: true }).getAttribute('placeholder')).toMatch(
      /stored/,
    );
    await dialog().getByLabel('Unhealthy', { exact: true }).uncheck();
    await dialog().getByRole('button', { name: 'Save changes' }).click();
    await dialog().waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(SMTP_PASSWORD);

    // The password kept through the edit still signs in at the SMTP sink.
    await block('ops-mail').getByRole('button', { name: 'Send a test to ops-mail' }).click();
    const mail = await until('the test e-mail', () => mails[0]);
    expect(mail).toMatch(/Subject: \[berth\] berth test notification/);
    const channels = await apiGet<ChannelView[]>(berth, '/notifications/channels');
    expect(channels.find((c) => c.name === 'ops-mail')).toMatchObject({
      config: { password: '••••', to: ['ops@example.test', 'dev@example.test'] },
      rules: { unhealthy: false, crashLoop: true },
    });
  });

  it('edits a webhook channel without retyping its URL, then removes it', async () => {
    await block('team-hook').getByRole('button', { name: 'Edit team-hook' }).click();
    await expect(dialog().getByLabel('Webhook URL', { exact: true }).inputValue()).resolves.toBe('');
    await dialog().getByLabel('Port conflict', { exact: true }).uncheck();
    await dialog().getByRole('button', { name: 'Save changes' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const before = hooks.length;
    await block('team-hook').getByRole('button', { name: 'Send a test to team-hook' }).click();
    await until('a test after the edit', () => (hooks.length > before ? true : undefined));
    expect(hooks.at(-1)?.path).toBe(`/ok/${HOOK_TOKEN}`);

    await block('team-hook').getByRole('button', { name: 'Delete team-hook' }).click();
    await block('team-hook').getByRole('button', { name: 'Really delete team-hook' }).click();
    await block('team-hook').waitFor({ state: 'detached' });
    const names = (await apiGet<ChannelView[]>(berth, '/notifications/channels')).map((c) => c.name);
    expect(names).toEqual(['broken-slack', 'ops-mail']);
  });

  it('fits a phone’s width: the list and the form', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot('notifications-phone');
    await page.getByRole('button', { name: 'Add channel' }).click();
    await dialog()
      .getByRole('radio', { name: /E-mail/ })
      .check();
    expect(await overflow()).toBeLessThanOrEqual(0);
    const box = await dialog().boundingBox();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 390).toBe(true);
    await shot('notification-modal-phone');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(consoleErrors).toEqual([]);
  });

  it('is an admin page: a read token sees no link and the reason', async () => {
    const reader = await createToken(berth, 'notify-reader', 'read');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await context.newPage();
    await signIn(other, berth, reader.secret);
    expect(await other.getByRole('link', { name: 'Notifications' }).count()).toBe(0);
    await other.goto(`${berth.url}/#/notifications`);
    await other.getByText('The Notifications page needs the admin role').waitFor();
    await context.close();
  });
});
