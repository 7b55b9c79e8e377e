import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  isPortFree,
  portBlock,
  type RunningBerth,
  signIn,
  startBerth,
} from './berth-harness.js';

/**
 * Issue 15 §4/§5 in a real browser: an instance card says which port each link goes to, and the
 * add-node form takes the address clients reach a node at. Ports 29500–29749 (ui.e2e 29000–29249,
 * ui-more.e2e 29250–29499): the API +0, the proxy +1, the two-port instance +20…+39, a closed
 * port for a node +95…+99.
 */

/** Two ports, each answering its own name: metrics declared first, http the proxy's default. */
function duoTemplate(base: number) {
  const script = [
    "const http=require('http');",
    "for(const [port,say] of [[process.env.PORT,'http'],[process.env.METRICS_PORT,'metrics']])",
    'http.createServer((q,r)=>r.end(say)).listen(port);',
  ].join('');
  return {
    name: 'duo',
    source: { kind: 'command', command: process.execPath, args: ['-e', script] },
    ports: [
      { name: 'metrics', env: 'METRICS_PORT', preferred: base + 20, range: [base + 20, base + 29] },
      { name: 'http', env: 'PORT', preferred: base + 30, range: [base + 30, base + 39] },
    ],
    readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
  };
}

describe('web UI: which port each link targets; a node’s public address', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;
  let base: number;

  beforeAll(async () => {
    assertChromium();
    base = await portBlock(29500);
    berth = await startBerth(base);
    expect((await apiCall(berth, 'POST', '/templates', duoTemplate(base))).status).toBe(201);
    const created = await apiCall(berth, 'POST', '/instances?wait=1', { template: 'duo', name: 'pair' });
    expect((created.body as { status: string }).status).toBe('running');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    await signIn(page, berth);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await berth?.stop();
  }, 60_000);

  it('the card links each port by name, through the proxy too, and marks the default', async () => {
    await page.getByRole('link', { name: 'Instances', exact: true }).click();
    const card = page.locator('[data-instance="pair"]');
    const view = await apiGet<{ ports: Record<string, number>; proxyUrl: string }>(berth, '/instances/pair');
    const proxy = base + 1;
    const item = (port: string) => card.getByRole('listitem').filter({ hasText: new RegExp(`^${port} `) });
    expect(
      await item('metrics')
        .getByRole('link', { name: `metrics.pair.localhost:${proxy}` })
        .getAttribute('href'),
    ).toBe(`http://metrics.pair.localhost:${proxy}/`);
    expect(
      await item('metrics')
        .getByRole('link', { name: String(view.ports.metrics) })
        .getAttribute('href'),
    ).toBe(`http://127.0.0.1:${view.ports.metrics}/`);
    expect(
      await item('http')
        .getByRole('link', { name: `pair.localhost:${proxy}` })
        .getAttribute('href'),
    ).toBe(view.proxyUrl);
    expect(await item('http').textContent()).toContain('(default)');
    expect(await item('metrics').textContent()).not.toContain('(default)');
    expect(await card.getByRole('listitem').filter({ hasText: 'via berth' }).textContent()).toContain(
      '→ http',
    );
  });

  it('adds a node with the address clients use, refusing one that is no host, next to its field', async () => {
    let closed = base + 95;
    while (!(await isPortFree(closed)) && closed < base + 99) closed++;
    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('cell', { name: 'local' }).first().waitFor();
    await page.getByLabel('Name').fill('far-box');
    await page.getByLabel('Connect over').selectOption('tcp');
    await page.getByLabel('Host address').fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(closed));
    const address = page.getByLabel('Address clients use (optional)');
    await address.fill('http://far-box:80');
    await page.getByRole('button', { name: 'Add node' }).click();
    const field = page.locator('.field', { has: address });
    await field.locator('.field-error').waitFor();
    expect(await field.locator('.field-error').textContent()).toMatch(/publicAddress/);
    expect((await apiGet<{ name: string }[]>(berth, '/nodes')).some((n) => n.name === 'far-box')).toBe(false);

    await address.fill('far-box.lan');
    await page.getByRole('button', { name: 'Add node' }).click();
    // Nothing listens on that port: the node is refused until the person adds it anyway.
    await page.getByRole('button', { name: 'Add anyway' }).click();
    const row = page.locator('[data-node="far-box"]');
    await row.waitFor();
    await row.getByText('far-box.lan').waitFor();
    expect(await row.textContent()).toContain('(set)');
    await row.getByRole('button', { name: 'Remove far-box' }).click();
    await row.getByRole('button', { name: 'Really remove far-box' }).click();
    await row.waitFor({ state: 'detached' });
  });
});
