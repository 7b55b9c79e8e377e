import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PORT_BLOCKS } from '../../../test/port-blocks.js';
import {
  apiCall,
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  ROOT,
  type RunningBerth,
  signIn,
  startBerth,
} from './berth-harness.js';

/**
 * Issue 16 §1 in a real browser against a real `berth serve`: the edit form built from the
 * template's schema with the list of what will change, a field error at its field, "Changes not
 * applied" with Apply now, and "Roll back to this" in the deployment history. Ports 23900–24099
 * (test/port-blocks.ts): the API and proxy at +0 and +1, the hello template +10…+59.
 */

const SHOTS = join(ROOT, 'test-artifacts/ui');
const [FIRST] = PORT_BLOCKS['web/ui-edit.e2e'];

interface Instance {
  url: string;
  unappliedChanges: string[];
  status: string;
}

describe('web UI: edit an instance, apply it, roll it back', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  const greeting = async () => {
    const i = await apiGet<Instance>(berth, '/instances/site');
    return (await (await fetch(i.url)).text()).trim();
  };
  const until = async (what: string, ok: () => Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await ok().catch(() => false))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    berth = await startBerth(FIRST);
    const created = await apiCall(berth, 'POST', '/instances?wait=1', { template: 'hello', name: 'site' });
    expect(created.status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('dialog', (d) => void d.accept());
    await signIn(page, berth);
  }, 240_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      await page.screenshot({
        path: join(SHOTS, `failed-edit-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await berth?.stop();
  }, 60_000);

  it('the edit form shows what will change, a bad value at its field, and saves as "not applied"', async () => {
    await page.goto(`${berth.url}/#/instances/site`);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('form', { name: 'Edit site' });
    await form.getByLabel('greeting').fill('bonjour');
    const diff = form.getByRole('region', { name: 'What will change' });
    await expect
      .poll(() => diff.textContent(), { timeout: 20_000 })
      .toContain('config.greeting: hello → bonjour');

    await form.getByLabel(/Environment/).fill('1X=a');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => form.locator('.field-error').first().textContent(), { timeout: 20_000 })
      .toContain('env.1X');
    expect((await apiGet<{ config: Record<string, string> }>(berth, '/instances/site')).config.greeting).toBe(
      'hello',
    );

    await form.getByLabel(/Environment/).fill('');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Changes not applied' });
    await expect.poll(() => notice.textContent(), { timeout: 20_000 }).toContain('config.greeting');
    expect(await greeting()).toBe('hello');
    await page.screenshot({ path: join(SHOTS, 'edit-not-applied.png'), fullPage: true });

    await notice.getByRole('button', { name: 'Apply now' }).click();
    await until('the new greeting', async () => (await greeting()) === 'bonjour');
    await until('the notice to go', async () => (await notice.count()) === 0);
  });

  it('"Roll back to this" runs an earlier deployment again', async () => {
    await page.reload();
    const buttons = page.getByRole('button', { name: /Roll back to this: deployment/ });
    await expect.poll(() => buttons.count(), { timeout: 20_000 }).toBe(1);
    await buttons.first().click();
    await until('the old greeting', async () => (await greeting()) === 'hello');
    // the program answers a moment before berth's readiness look sees it and marks it running
    await until(
      'running again',
      async () => (await apiGet<Instance>(berth, '/instances/site')).status === 'running',
    );
    const i = await apiGet<Instance>(berth, '/instances/site');
    expect(i).toMatchObject({ status: 'running', unappliedChanges: [] });
    await page.screenshot({ path: join(SHOTS, 'edit-rolled-back.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
