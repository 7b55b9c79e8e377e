import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  holdPort,
  portBlock,
  ROOT,
  type RunningBerth,
  startBerth,
} from './berth-harness.js';

const SHOTS = join(ROOT, 'test-artifacts/ui');

interface Instance {
  name: string;
  status: string;
  ports: Record<string, number>;
  proxyUrl: string | null;
}

describe('web UI against a real berth', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;
  let base: number;
  let squatter: Server | undefined;
  const consoleErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const card = (name: string) => page.locator(`[data-instance="${name}"]`);
  const statusOf = (name: string) => card(name).locator('[data-status]');
  const instance = (name: string) => apiGet<Instance>(berth, `/instances/${name}`);

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    base = await portBlock();
    // Side by side: the browser starts while berth loads (and the shared UI build is made or
    // found); either way both are held, so afterAll ends whichever started.
    const launching = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    launching.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    try {
      berth = await startBerth(base);
    } finally {
      browser = await launching;
    }
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      // failed requests show in the page itself; what must not happen is a script error
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  }, 240_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      await page.screenshot({
        path: join(SHOTS, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
      });
    }
  });

  afterAll(async () => {
    squatter?.close();
    await browser?.close();
    await berth?.stop();
  }, 60_000);

  it('asks for a token, refuses a wrong one with the server’s words, accepts the right one', async () => {
    await page.goto(berth.url);
    const token = page.getByLabel('API token');
    await token.fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/token/i);
    await shot('login');
    await token.fill(berth.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  it('lists templates and creates two instances from the config form', async () => {
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: 'hello' }).waitFor();
    await shot('templates');
    await page.getByRole('link', { name: 'hello' }).click();
    await page.getByRole('heading', { name: 'New instance' }).waitFor();
    // the form is built from the template's config schema
    await expect(page.getByLabel('greeting').inputValue()).resolves.toBe('hello');
    await expect(page.getByLabel('mode').inputValue()).resolves.toBe('fast');

    await page.getByLabel('Name').fill('web-1');
    await page.getByRole('button', { name: 'Create instance' }).click();
    await statusOf('web-1').filter({ hasText: 'running' }).waitFor();

    await page.getByLabel('Name').fill('web-2');
    await page.getByLabel('greeting').fill('hi from two');
    await page.getByLabel(/^http/).fill(String(base + 70)); // pinned port
    await page.getByRole('button', { name: 'Create instance' }).click();
    await statusOf('web-2').filter({ hasText: 'running' }).waitFor();
    await shot('template-detail');

    expect((await instance('web-2')).ports.http).toBe(base + 70);
    const two = await fetch(`http://127.0.0.1:${base + 70}/`).then((r) => r.text());
    expect(two.trim()).toBe('hi from two');
  });

  it('shows both running on the instances page with port and proxy links', async () => {
    await page.getByRole('link', { name: 'Instances', exact: true }).click();
    await statusOf('web-1').filter({ hasText: 'running' }).waitFor();
    await statusOf('web-2').filter({ hasText: 'running' }).waitFor();
    const port1 = (await instance('web-1')).ports.http;
    await card('web-1')
      .getByRole('link', { name: String(port1) })
      .waitFor();
    expect(
      await card('web-1')
        .getByRole('link', { name: /via berth/ })
        .getAttribute('href'),
    ).toBe(`http://127.0.0.1:${base + 1}/i/web-1/`);
    const hostLink = await card('web-1')
      .getByRole('link', { name: /^web-1\.localhost:\d+$/ })
      .getAttribute('href');
    expect(hostLink).toBe((await instance('web-1')).proxyUrl);
    expect(hostLink).toMatch(/^http:\/\/web-1\.localhost:\d+\/$/);
    await shot('instances');
  });

  it('resolves a port conflict in the dialog and starts on the chosen port', async () => {
    await page.getByRole('button', { name: 'Stop web-2', exact: true }).click();
    await statusOf('web-2').filter({ hasText: 'stopped' }).waitFor();
    squatter = await holdPort(base + 70);

    await page.getByRole('button', { name: 'Start web-2', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toMatch(
      new RegExp(`Port ${base + 70} is in use by .+\\. Use \\d+\\?`),
    );
    await shot('port-conflict-dialog');

    // Esc cancels and nothing starts
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await instance('web-2')).status).toBe('stopped');

    await page.getByRole('button', { name: 'Start web-2', exact: true }).click();
    await dialog.waitFor();
    const chosen = base + 71;
    const input = dialog.getByLabel(/http.*port/);
    await input.fill(String(chosen));
    await input.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await statusOf('web-2').filter({ hasText: 'running' }).waitFor();
    await card('web-2')
      .getByRole('link', { name: String(chosen) })
      .waitFor();
    expect((await instance('web-2')).ports.http).toBe(chosen);
    const answer = await fetch(`http://127.0.0.1:${chosen}/`).then((r) => r.text());
    expect(answer.trim()).toBe('hi from two');
  });

  it('follows the logs of an instance as new lines arrive', async () => {
    await card('web-1').getByRole('link', { name: 'web-1', exact: true }).click();
    await page.getByRole('heading', { name: 'web-1', level: 1 }).waitFor();
    const log = page.getByRole('log', { name: 'Log lines' });
    await log.getByText(/listening on/).waitFor();
    const port = (await instance('web-1')).ports.http;
    for (const n of [1, 2, 3]) await fetch(`http://127.0.0.1:${port}/from-the-test-${n}`);
    await log.getByText('/from-the-test-3').waitFor({ timeout: 30_000 });
    // later refreshes add nothing twice
    await page.waitForTimeout(4500);
    await expect(log.getByText(/listening on/).count()).resolves.toBe(1);
    await expect(log.getByText('/from-the-test-1').count()).resolves.toBe(1);
    // ANSI colours become styled spans, not escape codes
    const green = log.locator('span', { hasText: /^GET$/ }).first();
    expect(await green.getAttribute('style')).toContain('color');
    expect(await log.textContent()).not.toContain('\u001b');

    await page.getByLabel('Search logs').fill('from-the-test-2');
    await expect.poll(() => log.locator('.log-line').count()).toBe(1);
    await page.getByLabel('Search logs').fill('');
    await expect.poll(() => log.locator('.log-line').count()).toBeGreaterThan(3);
    await shot('instance-detail');
  });

  it('shows taken ports with a filter and finds free ones', async () => {
    await page.getByRole('link', { name: 'Ports' }).click();
    await page.getByRole('table').waitFor();
    await page.getByLabel('Filter ports').fill(String(base + 71));
    await page.getByRole('cell', { name: String(base + 71), exact: true }).waitFor();
    await page.getByRole('cell', { name: /web-2/ }).waitFor();
    await page.getByLabel('Filter ports').fill('');
    // the finder's From/To: the page has the reservation form's too
    const finder = page.getByRole('form', { name: 'Find free ports' });
    await finder.getByLabel('From', { exact: true }).fill(String(base + 80));
    await finder.getByLabel('To', { exact: true }).fill(String(base + 99));
    await finder.getByLabel('How many', { exact: true }).fill('3');
    await finder.getByRole('button', { name: 'Find free ports' }).click();
    await page.getByText(/^Free: \d+, \d+, \d+$/).waitFor();
    await shot('ports');
  });

  it('lists nodes and tests the local one', async () => {
    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('cell', { name: 'local' }).first().waitFor();
    await page.getByRole('button', { name: 'Test connection to local' }).click();
    await page.locator('.test-ok, .test-error, .test-calm').waitFor();
    await shot('nodes');
  });

  it('stops an instance and shows the dashboard', async () => {
    await page.getByRole('link', { name: 'Instances', exact: true }).click();
    await page.getByRole('button', { name: 'Stop web-1', exact: true }).click();
    await statusOf('web-1').filter({ hasText: 'stopped' }).waitFor();
    expect((await instance('web-1')).status).toBe('stopped');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Instances by status' }).waitFor();
    await page.locator('.status-count.status-running strong', { hasText: '1' }).waitFor();
    await shot('dashboard');
  });

  it('fits a phone’s width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Instances', exact: true }).click();
    await statusOf('web-2').filter({ hasText: 'running' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('instances-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('returns to the login with a message when the session stops working', async () => {
    // the session is an HttpOnly cookie: drop it as an expiry would, then let the page ask the API
    await page.context().clearCookies();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByLabel('API token').waitFor();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/sign in again/i);
    expect(consoleErrors).toEqual([]);
  });
});
