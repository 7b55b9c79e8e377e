import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  createToken,
  portBlock,
  ROOT,
  type RunningBerth,
  signIn,
  startBerth,
} from './berth-harness.js';

const SHOTS = join(ROOT, 'test-artifacts/ui');
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

interface TokenRow {
  id: string;
  name: string;
  role: string;
  revokedAt: number | null;
}

/**
 * Issue 19 §2 and §7 in the browser: the UI's token lives only in an HttpOnly, SameSite=Strict
 * cookie (no script reads it), sign-out ends it, each role sees only what it may do, and an admin
 * makes scoped tokens on the Tokens page, whose secret is shown once. 23000–23499: below the
 * ephemeral range, and no other test's block.
 */
describe('web UI sessions and scoped tokens against a real berth', () => {
  let berth: RunningBerth;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];
  let current: Page | undefined;

  /** A fresh browser profile (its own cookies and storage), as a second person would have. */
  const newPage = async (viewport = DESKTOP): Promise<Page> => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      // a 401 or 403 answer shows in the page itself; what must not happen is a script error
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    current = page;
    return page;
  };
  const overflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  /** Everything a script on the page can read: cookies and both storages, keys and values. */
  const readableByScripts = (page: Page) =>
    page.evaluate(() => {
      const dump = (s: Storage) =>
        Object.entries({ ...s })
          .flat()
          .join('\n');
      return [document.cookie, dump(localStorage), dump(sessionStorage)].join('\n');
    });
  const sessionCookie = async (page: Page) =>
    // not filtered by the page's URL: the cookie's Path is /api, so `cookies(url)` would skip it
    (await page.context().cookies()).find((c) => c.name === 'berth_session');

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    berth = await startBerth(await portBlock(23000));
    const created = await apiCall(berth, 'POST', '/instances', {
      template: 'hello',
      name: 's-1',
      start: false,
    });
    if (created.status !== 201)
      throw new Error(`create s-1: ${created.status} ${JSON.stringify(created.body)}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 240_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && current) {
      await current.screenshot({
        path: join(SHOTS, `failed-session-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await berth?.stop();
  }, 60_000);

  it('signs in into an HttpOnly, SameSite=Strict cookie that no script can read, and forgets an old stored token', async () => {
    const page = await newPage();
    await page.goto(berth.url);
    await page.getByLabel('API token').waitFor();
    // what an older UI left behind: removed on the next load
    await page.evaluate(() => localStorage.setItem('berth.token', 'left-by-the-old-ui'));
    await page.reload();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('berth.token'))).toBeNull();

    await signIn(page, berth);
    const cookie = await sessionCookie(page);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api' });
    const readable = await readableByScripts(page);
    expect(readable).not.toContain('berth_session');
    expect(readable).not.toContain(berth.token);
    // the nav says who is signed in
    await page.getByRole('navigation').getByText('admin', { exact: true }).waitFor();
    // a reload keeps the session: the app asks GET /session, the cookie answers
    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  it('lets an admin create a read token on the Tokens page and shows its secret once', async () => {
    const page = current as Page;
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'Tokens', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('viewer');
    await page.getByRole('radio', { name: /^read/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();

    const secretBox = page.getByLabel('Secret of viewer');
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    expect(secret.length).toBeGreaterThan(16);
    await page.getByText('it will not be shown again').waitFor();
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText(/Copied to the clipboard|press Ctrl\+C/).waitFor();

    // the secret works, with the role chosen, and the list shows it
    const who = await fetch(`${berth.url}/api/v1/session`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(await who.json()).toMatchObject({ name: 'viewer', role: 'read' });
    await page.locator('[data-token="viewer"]').getByText('read', { exact: true }).waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'tokens-desktop.png'), fullPage: true });

    // once dismissed (or after a reload) it is nowhere on the page
    await page.getByRole('button', { name: 'Done, hide it' }).click();
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.locator('[data-token="viewer"]').waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await readableByScripts(page)).not.toContain(secret);

    await page.setViewportSize(PHONE);
    await page.locator('[data-token="viewer"]').waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'tokens-phone.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);
  });

  it('revokes a token after asking once more', async () => {
    const page = current as Page;
    const doomed = await createToken(berth, 'doomed', 'operate');
    await page.reload();
    const row = page.locator('[data-token="doomed"]');
    await row.getByRole('button', { name: 'Revoke doomed' }).click();
    await row.getByRole('button', { name: 'Really revoke doomed' }).click();
    await row.getByRole('button', { name: /Revoke/ }).waitFor({ state: 'detached' });
    const rows = await apiGet<TokenRow[]>(berth, '/tokens');
    expect(rows.find((t) => t.id === doomed.id)?.revokedAt).toEqual(expect.any(Number));
  });

  it('signs out: the cookie is gone and the API no longer answers the page', async () => {
    const page = current as Page;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    await page.getByText('Signed out.').waitFor();
    expect((await sessionCookie(page))?.value ?? '').toBe('');
    expect(await page.evaluate(() => fetch('/api/v1/instances').then((r) => r.status))).toBe(401);
    await page.reload();
    await page.getByLabel('API token').waitFor();
  });

  it('shows a read token no start, stop or remove, and no admin pages', async () => {
    const viewer = await createToken(berth, 'reader', 'read');
    const page = await newPage();
    await signIn(page, berth, viewer.secret);
    await page.getByRole('navigation').getByText('read', { exact: true }).waitFor();
    const nav = page.getByRole('navigation');
    expect(await nav.getByRole('link', { name: 'Tokens' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Deploy' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Instances', exact: true }).click();
    const card = page.locator('[data-instance="s-1"]');
    await card.getByText('Read-only token').waitFor();
    expect(await card.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'New instance' }).count()).toBe(0);

    await page.goto(`${berth.url}/#/templates/hello`);
    await page.getByText('Creating an instance needs the admin role').waitFor();
    expect(await page.getByRole('button', { name: 'Create instance' }).count()).toBe(0);
    await page.goto(`${berth.url}/#/tokens`);
    await page.getByText('The Tokens page needs the admin role').waitFor();

    // the server agrees: the cookie carries the read role, a write is refused
    const status = await page.evaluate(() =>
      fetch('/api/v1/instances/s-1/start', { method: 'POST' }).then((r) => r.status),
    );
    expect(status).toBe(403);
    expect((await apiGet<{ desiredState: string }>(berth, '/instances/s-1')).desiredState).toBe('stopped');
  });

  it('lets an operate token start an instance through the cookie (Origin checked), with Remove disabled', async () => {
    const operator = await createToken(berth, 'operator', 'operate');
    const page = await newPage();
    await signIn(page, berth, operator.secret);
    await page.getByRole('link', { name: 'Instances', exact: true }).click();
    const card = page.locator('[data-instance="s-1"]');
    const remove = card.getByRole('button', { name: 'Remove s-1' });
    expect(await remove.isDisabled()).toBe(true);
    expect(await remove.getAttribute('title')).toBe('Removing an instance needs the admin role');
    await card.getByRole('button', { name: 'Start s-1', exact: true }).click();
    await card.locator('[data-status]').filter({ hasText: 'running' }).waitFor();
    expect((await apiGet<{ status: string }>(berth, '/instances/s-1')).status).toBe('running');
    await card.getByRole('button', { name: 'Stop s-1', exact: true }).click();
    await card.locator('[data-status]').filter({ hasText: 'stopped' }).waitFor();
  });

  it('returns to the login with the server’s message when the session’s token is revoked', async () => {
    const brief = await createToken(berth, 'brief', 'admin');
    const page = await newPage();
    await signIn(page, berth, brief.secret);
    expect((await apiCall(berth, 'DELETE', `/tokens/${brief.id}`)).status).toBe(204);
    // the next request answers 401 (the dashboard's own poll may come first): no reload, no click race
    await page.evaluate(() => {
      window.location.hash = '#/instances';
    });
    await page.getByLabel('API token').waitFor();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/sign in again/i);
    expect(consoleErrors).toEqual([]);
  });
});
