import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:net';
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
  holdPort,
  portBlock,
  ROOT,
  type RunningBerth,
  signIn,
  startBerth,
} from './berth-harness.js';

/**
 * Issue 16 §4 / issue 17: the instances as a table beside the cards (the choice remembered),
 * sorted by a column, filtered by words, label and status, several selected and acted on at once
 * through POST /instances/actions with each instance's answer shown — one start refused because an
 * outsider holds its pinned port, the others started. At 390 px the table scrolls in its own box.
 * Ports 9500–9749 (test/port-blocks.ts): API +0, proxy +1, the hello template +10…+59, the
 * outsider's port +70.
 */

const SHOTS = join(ROOT, 'test-artifacts/ui');
const [FIRST] = PORT_BLOCKS['web/ui-table.e2e'];

interface Instance {
  name: string;
  status: string;
}

describe('web UI: the instance table and bulk actions', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;
  let outsider: Server;
  let base: number;
  const consoleErrors: string[] = [];

  const statusOf = async (name: string) => (await apiGet<Instance>(berth, `/instances/${name}`)).status;
  const rowNames = () =>
    page.locator('tbody tr[data-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row')));

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    base = await portBlock(FIRST);
    berth = await startBerth(base);
    const create = (name: string, labels: Record<string, string>, extra: object = {}) =>
      apiCall(berth, 'POST', '/instances?wait=1', { template: 'hello', name, labels, ...extra });
    expect((await create('alpha', { team: 'data' })).status).toBe(201);
    expect((await create('bravo', { team: 'data', tier: 'cold' }, { start: false })).status).toBe(201);
    expect((await create('charlie', { team: 'web' }, { start: false })).status).toBe(201);
    expect(
      (await create('delta', { team: 'web' }, { start: false, ports: { http: base + 70 } })).status,
    ).toBe(201);
    outsider = await holdPort(base + 70);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await signIn(page, berth);
  }, 240_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      await page.screenshot({
        path: join(SHOTS, `failed-table-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    outsider?.close();
    await browser?.close();
    await berth?.stop();
  }, 60_000);

  it('switches to the table, remembers it, and sorts by a column', async () => {
    await page.goto(`${berth.url}/#/instances`);
    await page.getByRole('button', { name: 'Table', exact: true }).click();
    const table = page.getByRole('region', { name: 'Instances table' });
    await expect.poll(rowNames, { timeout: 20_000 }).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    expect(await page.locator('.instance-card').count()).toBe(0); // the table instead of the cards
    await page.reload();
    await expect.poll(() => table.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('button', { name: 'Table', exact: true }).getAttribute('aria-pressed')).toBe(
      'true',
    );

    await table.getByRole('button', { name: 'Name' }).click();
    await expect.poll(rowNames, { timeout: 20_000 }).toEqual(['delta', 'charlie', 'bravo', 'alpha']);
    await table.getByRole('button', { name: 'Status' }).click();
    await expect.poll(async () => (await rowNames())[0], { timeout: 20_000 }).toBe('alpha'); // running first
    expect(await table.locator('th[aria-sort="ascending"]').textContent()).toContain('Status');
    await table.getByRole('button', { name: 'Uptime' }).click();
    await expect.poll(async () => (await rowNames())[0], { timeout: 20_000 }).toBe('alpha'); // the only one with an uptime
    await expect
      .poll(() => table.locator('tr[data-row="alpha"] [data-uptime]').textContent())
      .toMatch(/\d+ (s|min)/);
  });

  it('filters by words, label and status', async () => {
    await page.getByLabel('Filter by labels').fill('team=web');
    await expect
      .poll(async () => (await rowNames()).sort(), { timeout: 20_000 })
      .toEqual(['charlie', 'delta']);
    await page.getByLabel('Filter by labels').fill('tier');
    await expect.poll(rowNames, { timeout: 20_000 }).toEqual(['bravo']);
    await page.getByLabel('Filter by labels').fill('');
    await page.getByLabel('Filter by status').selectOption('stopped');
    await expect
      .poll(async () => (await rowNames()).sort(), { timeout: 20_000 })
      .toEqual(['bravo', 'charlie', 'delta']);
    await page.getByLabel('Filter by status').selectOption('');
    await page.getByLabel('Filter instances').fill('cold');
    await expect.poll(rowNames, { timeout: 20_000 }).toEqual(['bravo']);
    await page.getByLabel('Filter instances').fill('');
  });

  it('starts several at once and shows each answer: a taken pin refused, the others started', async () => {
    await page.getByLabel('Filter by status').selectOption('stopped');
    await expect.poll(async () => (await rowNames()).length, { timeout: 20_000 }).toBe(3);
    await page.getByLabel('Select every instance shown').check();
    await page.getByLabel('Filter by status').selectOption('');
    await expect
      .poll(() => page.locator('[data-selected]').textContent(), { timeout: 20_000 })
      .toBe('3 selected');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const results = page.getByRole('status', { name: 'Results' });
    await expect.poll(() => results.textContent(), { timeout: 20_000 }).toContain('2 done, 1 failed');
    expect(await results.locator('[data-result="delta"]').getAttribute('data-ok')).toBe('false');
    expect(await results.locator('[data-result="delta"]').textContent()).toContain(`port ${base + 70}`);
    expect(await results.locator('[data-result="bravo"]').textContent()).toBe('bravo: running');
    expect(await results.locator('[data-result="charlie"]').textContent()).toBe('charlie: running');
    expect(await statusOf('bravo')).toBe('running');
    expect(await statusOf('charlie')).toBe('running');
    expect(await statusOf('delta')).toBe('stopped');
    await page.screenshot({ path: join(SHOTS, 'instances-table.png'), fullPage: true });
  });

  it('stops the selected ones, and removes after an inline confirmation naming them', async () => {
    await page.getByRole('button', { name: 'Dismiss' }).click();
    // Three of four were selected: all, then none.
    await page.getByLabel('Select every instance shown').check();
    await page.getByLabel('Select every instance shown').uncheck();
    await expect
      .poll(() => page.locator('[data-selected]').textContent(), { timeout: 20_000 })
      .toBe('0 selected');
    await page.getByLabel('Select bravo').check();
    await page.getByLabel('Select charlie').check();
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const results = page.getByRole('status', { name: 'Results' });
    await expect.poll(() => results.textContent(), { timeout: 20_000 }).toContain('Stop: 2 done');
    expect(await results.locator('[data-result="bravo"]').textContent()).toContain('stopped');
    expect(await statusOf('alpha')).toBe('running');

    await page.getByRole('button', { name: 'Remove…' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Confirm removal' });
    expect(await confirm.textContent()).toContain('bravo, charlie');
    await confirm.getByRole('button', { name: 'Remove 2' }).click();
    await expect.poll(() => results.textContent(), { timeout: 20_000 }).toContain('Remove: 2 done');
    await expect.poll(rowNames, { timeout: 20_000 }).toEqual(['alpha', 'delta']);
    const left = await apiGet<Instance[]>(berth, '/instances');
    expect(left.map((i) => i.name).sort()).toEqual(['alpha', 'delta']);
  });

  it("edits an instance's labels in its edit form; the table shows them", async () => {
    await page.goto(`${berth.url}/#/instances/alpha`);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('form', { name: 'Edit alpha' });
    await form.getByLabel('Labels').fill('team=data\nowner=ops');
    await expect
      .poll(() => form.getByRole('region', { name: 'What will change' }).textContent())
      .toContain('labels.owner: (none) → ops');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(async () => (await apiGet<{ labels: Record<string, string> }>(berth, '/instances/alpha')).labels)
      .toEqual({ team: 'data', owner: 'ops' });
    await page.goto(`${berth.url}/#/instances`);
    await expect
      .poll(() => page.locator('tr[data-row="alpha"] .labels').textContent())
      .toContain('owner=ops');
  });

  it('the create form sets labels, and a bad one is shown at the field', async () => {
    await page.goto(`${berth.url}/#/templates/hello`);
    const form = page.locator('form[aria-label="New hello instance"]');
    await form.getByLabel('Name', { exact: true }).fill('echo');
    await form.getByLabel('Labels (optional)').fill('bad key=x');
    await form.getByRole('button', { name: 'Create instance' }).click();
    await expect
      .poll(() => form.locator('[data-field="labels"]').textContent(), { timeout: 20_000 })
      .toContain("Label 'bad key'");
    await form.getByLabel('Labels (optional)').fill('team=ui');
    await form.getByRole('button', { name: 'Create instance' }).click();
    await expect
      .poll(
        async () =>
          (await apiCall(berth, 'GET', '/instances/echo')).status === 200 &&
          (await apiGet<{ labels: Record<string, string> }>(berth, '/instances/echo')).labels.team,
        { timeout: 20_000 },
      )
      .toBe('ui');
  });

  it('at 390 px the page does not scroll sideways: the table scrolls in its own box', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${berth.url}/#/instances`);
    const table = page.getByRole('region', { name: 'Instances table' });
    await expect.poll(() => table.isVisible(), { timeout: 20_000 }).toBe(true);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(sideways).toBeLessThanOrEqual(0);
    const box = await table.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(box.scroll).toBeGreaterThan(box.client);
    await page.screenshot({ path: join(SHOTS, 'instances-table-390.png'), fullPage: true });
    await page.getByRole('button', { name: 'Cards', exact: true }).click();
    await expect.poll(() => page.locator('.instance-card').count(), { timeout: 20_000 }).toBe(3);
    expect(await table.count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
