import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORT_BLOCKS } from '../../../test/port-blocks.js';
import {
  apiCall,
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  portBlock,
  type RunningBerth,
  signIn,
  startBerth,
} from './berth-harness.js';

const [FIRST] = PORT_BLOCKS['web/ui-defaults.e2e'];

/**
 * Issue 16 §6 in a real browser against a real `berth serve`: a card shows the instance's uptime
 * and its restarts; the Ports page changes berth's global and reserved ranges (and shows a refusal
 * in the server's words).
 */
describe('web UI: uptime on the cards, the port ranges form', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    assertChromium();
    berth = await startBerth(await portBlock(FIRST));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await berth?.stop();
  });

  it('a running card says how long it has run and how many restarts it had', async () => {
    const made = await apiCall(berth, 'POST', '/instances?wait=1', { template: 'hello', name: 'up-1' });
    expect(made.status).toBe(201);
    await signIn(page, berth);
    await page.goto(`${berth.url}/#/instances`);
    const card = page.locator('[data-instance="up-1"]');
    await expect
      .poll(() => card.locator('[data-uptime]').textContent(), { timeout: 30_000 })
      .toMatch(/^up \d+ (s|min)/);
    expect(await card.locator('[data-restarts]').textContent()).toBe('0 restarts');
  }, 120_000);

  it('the Ports page saves a new range and reserved ranges, and shows a refusal', async () => {
    await page.goto(`${berth.url}/#/ports`);
    const form = page.getByRole('form', { name: 'Port ranges' });
    await expect
      .poll(() => form.locator('[data-port-range-why]').textContent(), { timeout: 30_000 })
      .toMatch(/^Now \d+–\d+/);
    await expect.poll(() => form.getByLabel('From').inputValue(), { timeout: 30_000 }).toMatch(/^\d+$/);
    await form.getByLabel('From').fill('21000');
    await form.getByLabel('To').fill('21999');
    await form.getByLabel(/Never leased/).fill('21000-21009 lab devices');
    await form.getByRole('button', { name: 'Save ranges' }).click();
    await expect.poll(() => form.locator('output').textContent(), { timeout: 30_000 }).toMatch(/Saved/);
    const saved = await apiGet<{ globalRange: { from: number; to: number }; reserved: unknown[] }>(
      berth,
      '/settings/ports',
    );
    expect(saved.globalRange).toEqual({ from: 21000, to: 21999 });
    expect(saved.reserved).toEqual([{ from: 21000, to: 21009, reason: 'lab devices' }]);

    await form.getByLabel('From').fill('21999');
    await form.getByLabel('To').fill('21000');
    await form.getByRole('button', { name: 'Save ranges' }).click();
    await expect
      .poll(() => form.locator('output').textContent(), { timeout: 30_000 })
      .toMatch(/globalRange\.from .* must be below/);

    await form.getByRole('button', { name: 'Reset' }).click();
    await expect
      .poll(async () => (await apiGet<{ globalSource: string }>(berth, '/settings/ports')).globalSource, {
        timeout: 30_000,
      })
      .toBe('default');
  }, 120_000);
});
