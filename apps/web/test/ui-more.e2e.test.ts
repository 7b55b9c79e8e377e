import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakePortainer } from '../../../packages/integrations/test/fake-portainer.js';
import {
  apiCall,
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  isPortFree,
  portBlock,
  ROOT,
  type RunningBerth,
  startBerth,
} from './berth-harness.js';

/**
 * The integrations page, the ports of every host, nodes and the deploy wizard in a real browser
 * against a real `berth serve`. Ports 29250–29499 (ui.e2e has 29000–29249): the API +0, the proxy
 * +1, built apps +60…+69, the fake Portainer +80…+89, a closed port for a node +95…+99.
 */

const SHOTS = join(ROOT, 'test-artifacts/ui');
const KEY = 'ptr_web-e2e-5f1c';
/** The host the fake's second environment names: its containers' ports are taken there. */
const FAR_HOST = '10.0.0.5';
const FAR_PORT = 18080;
const EXPRESS_APP = join(ROOT, 'packages/builder/test/fixtures/node-express');
const STATIC_SITE = join(ROOT, 'test/fixtures/build-static-site');
const SLOW_BUILD = join(ROOT, 'test/fixtures/build-slow-dockerfile');
/** scripts/test-images.sh makes these; they stand in for what the plan writes in FROM lines. */
const BASE_IMAGES = {
  'node:20-slim': 'berth-test/node:20',
  'busybox:1.36': 'berth-test/busybox:latest',
  'python:3.11-slim': 'berth-test/python:3.11',
};
const requireDocker = process.env.BERTH_REQUIRE_DOCKER === '1';

async function dockerAnswers(): Promise<string | undefined> {
  try {
    await promisify(execFile)('/usr/bin/docker', ['version', '--format', '{{.Server.Version}}'], {
      timeout: 10_000,
    });
    for (const image of Object.values(BASE_IMAGES))
      await promisify(execFile)('/usr/bin/docker', ['image', 'inspect', image], { timeout: 10_000 });
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

describe('web UI: integrations, ports of every host, nodes, deploy', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;
  let base: number;
  let fake: FakePortainer;
  let noDocker: string | undefined;
  const consoleErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const block = (name: string) => page.locator(`[data-integration="${name}"]`);
  const dialog = () => page.getByRole('dialog');

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    noDocker = await dockerAnswers();
    if (noDocker && requireDocker)
      throw new Error(`BERTH_REQUIRE_DOCKER=1 but Docker is not usable: ${noDocker}`);
    base = await portBlock(29250);
    fake = await FakePortainer.start({
      apiKey: KEY,
      range: [base + 80, base + 89],
      environments: [
        {
          Id: 1,
          Name: 'edge-b',
          Type: 2,
          URL: `tcp://${FAR_HOST}:9001`,
          containers: [
            {
              Id: 'api-0123456789abcdef',
              Names: ['/far-api'],
              Image: 'far-api:latest',
              State: 'running',
              Ports: [
                { IP: '0.0.0.0', PrivatePort: 80, PublicPort: FAR_PORT, Type: 'tcp' },
                { IP: '0.0.0.0', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
              ],
            },
            { Id: 'old-0123456789abcdef', Names: ['/old'], Image: 'old:1', State: 'exited', Ports: [] },
          ],
        },
      ],
    });
    berth = await startBerth(base, {
      BERTH_BUILD_PORTS: `${base + 60}-${base + 69}`,
      BERTH_BASE_IMAGES: JSON.stringify(BASE_IMAGES),
      // Local folders are build sources only where the operator allows them.
      BERTH_ALLOW_PATHS: [join(ROOT, 'packages/builder/test/fixtures'), join(ROOT, 'test/fixtures')].join(
        ':',
      ),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(berth.url);
    await page.getByLabel('API token').fill(berth.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  }, 240_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      await page.screenshot({
        path: join(SHOTS, `failed-more-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    if (berth) {
      // built apps are containers: remove their instances so nothing is left running
      const instances = await apiGet<{ id: string }[]>(berth, '/instances').catch(() => []);
      for (const i of instances) await apiCall(berth, 'DELETE', `/instances/${i.id}`);
      await berth.stop();
    }
    await fake?.close();
  }, 90_000);

  it('adds a Portainer integration in two steps and tests its connection: ok, then unauthorized', async () => {
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByText('No integration yet').waitFor();
    await page.getByRole('button', { name: 'Add integration' }).click();
    await dialog().getByText('Step 1 of 2').waitFor();
    await dialog()
      .getByRole('radio', { name: /Portainer/ })
      .check();
    await shot('integration-modal-type');
    await dialog().getByRole('button', { name: 'Next' }).click();
    await dialog().getByText('Step 2 of 2').waitFor();

    // the form is built from the type's JSON Schema
    await dialog().getByLabel('Name').fill('prod');
    await dialog()
      .getByLabel(/Portainer URL/)
      .fill(fake.url);
    const key = dialog().getByLabel(/API key/);
    expect(await key.getAttribute('type')).toBe('password');
    await expect(
      dialog()
        .getByLabel(/Verify TLS certificates/)
        .isChecked(),
    ).resolves.toBe(true);
    await expect(
      dialog()
        .getByLabel(/Timeout/)
        .inputValue(),
    ).resolves.toBe('30');

    await key.fill('not-the-key');
    await dialog().getByRole('button', { name: 'Test connection' }).click();
    const result = dialog().locator('.test-line [data-reason], .test-line .test-ok');
    await dialog()
      .getByText(/unauthorized/i)
      .waitFor();
    expect(await result.getAttribute('data-reason')).toBe('unauthorized');
    await shot('integration-modal-unauthorized');

    await key.fill(KEY);
    await dialog().getByRole('button', { name: 'Test connection' }).click();
    await dialog()
      .getByText(/Reachable: Portainer 2\.21\.4, \d+ ms/)
      .waitFor();
    await shot('integration-modal-ok');

    await dialog().getByRole('button', { name: 'Add integration' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await block('prod').waitFor();
    const stored = await apiGet<{ name: string; type: string; config: Record<string, unknown> }[]>(
      berth,
      '/integrations',
    );
    expect(stored).toMatchObject([{ name: 'prod', type: 'portainer', config: { apiKey: '••••' } }]);
  });

  it('scans now: the block counts the containers and ports and says when', async () => {
    await block('prod').getByRole('button', { name: 'Scan prod now' }).click();
    // the fake's environment has a running container with two published ports and an exited one
    await block('prod')
      .getByText(/^Found 2 containers with 2 published ports\.$/)
      .waitFor();
    await block('prod').locator('[data-status="ok"]').waitFor();
    await expect(block('prod').locator('.facts').textContent()).resolves.toMatch(
      new RegExp(`2 containers, 2 ports on ${FAR_HOST.replace(/\./g, '\\.')}`),
    );
    await expect(block('prod').locator('.facts').textContent()).resolves.toMatch(/every 5 min/);
    await shot('integrations');
  });

  it('edits the integration: the stored key shows as •••• and is kept when sent back unchanged', async () => {
    await block('prod').getByRole('button', { name: 'Edit prod' }).click();
    await dialog().getByText('Step 2 of 2').waitFor();
    const key = dialog().getByLabel(/API key/);
    await expect(key.inputValue()).resolves.toBe('••••');
    await dialog()
      .getByText(/Stored and encrypted/)
      .waitFor();
    // a draft test with the mask uses the stored key
    await dialog().getByRole('button', { name: 'Test connection' }).click();
    await dialog()
      .getByText(/Reachable: Portainer/)
      .waitFor();
    await dialog().getByLabel('Scan every (seconds)').fill('600');
    await shot('integration-modal-edit');
    await dialog().getByRole('button', { name: 'Save changes' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await block('prod').getByText('every 10 min').waitFor();
    const test = await apiCall(berth, 'POST', '/integrations/prod/test');
    expect(test.body).toMatchObject({ ok: true });
  });

  it('shows the scanned ports on the Ports page, across all hosts', async () => {
    await page.getByRole('link', { name: 'Ports' }).click();
    await expect(page.getByLabel('Host', { exact: true }).inputValue()).resolves.toBe('*all*');
    await page.getByRole('columnheader', { name: 'Host' }).waitFor();
    await page.getByLabel('Filter ports').fill(FAR_HOST);
    const row = page.getByRole('row').filter({ hasText: String(FAR_PORT) });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/far-api/);
    await expect(row.textContent()).resolves.toContain(FAR_HOST);
    await page.getByRole('row').filter({ hasText: '5353' }).waitFor();
    await shot('ports-all-hosts');
    // one host at a time still works
    await page.getByLabel('Host', { exact: true }).selectOption(FAR_HOST);
    await page.getByRole('heading', { name: new RegExp(`Taken on ${FAR_HOST}`) }).waitFor();
    await page.getByRole('cell', { name: String(FAR_PORT), exact: true }).waitFor();
    await page.getByLabel('Filter ports').fill('');
    await page.getByLabel('Host', { exact: true }).selectOption('*all*');
  });

  it('adds a node at a closed port and its test says the connection was refused', async () => {
    let closed = base + 95;
    while (!(await isPortFree(closed)) && closed < base + 99) closed++;
    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('cell', { name: 'local' }).first().waitFor();
    await page.getByLabel('Name').fill('closed-box');
    await page.getByLabel('Connect over').selectOption('tcp');
    await page.getByLabel('Host address').fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(closed));
    await page.getByRole('button', { name: 'Add node' }).click();
    // Tested before it is added: refused, saying why, and only added when the person insists.
    const refusal = page.locator('form[aria-label="Add a node"] [role="alert"] [data-reason]');
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.getAttribute('data-reason')).toBe('refused');
    expect((await apiGet<{ name: string }[]>(berth, '/nodes')).some((n) => n.name === 'closed-box')).toBe(
      false,
    );
    await page.getByRole('button', { name: 'Add anyway' }).click();

    const row = page.locator('[data-node="closed-box"]');
    await row.waitFor();
    // the form tests the new node at once; the row's own Test says the same
    await page.locator('form[aria-label="Add a node"] [data-reason]').waitFor({ timeout: 30_000 });
    expect(
      await page.locator('form[aria-label="Add a node"] [data-reason]').getAttribute('data-reason'),
    ).toBe('refused');
    await row.getByRole('button', { name: 'Test connection to closed-box' }).click();
    await row
      .getByText(/refused/i)
      .first()
      .waitFor({ timeout: 30_000 });
    await shot('nodes-refused');
    await row.getByRole('button', { name: 'Remove closed-box' }).click();
    await row.getByRole('button', { name: 'Really remove closed-box' }).click();
    await row.waitFor({ state: 'detached' });
  });

  it('refuses an ssh host key that is not a fingerprint, next to its field', async () => {
    await page.getByLabel('Name').fill('ssh-box');
    await page.getByLabel('Connect over').selectOption('ssh');
    await page.getByLabel('Host address').fill('127.0.0.1');
    await page.getByLabel('SSH user').fill('deploy');
    await page.getByLabel('Host key fingerprint (optional)').fill('not-a-fingerprint');
    await page.getByRole('button', { name: 'Add node' }).click();
    const field = page.locator('.field', { has: page.getByLabel('Host key fingerprint (optional)') });
    await field.locator('.field-error').waitFor();
    expect(await field.locator('.field-error').textContent()).toMatch(/SHA256/);
    expect((await apiGet<{ name: string }[]>(berth, '/nodes')).some((n) => n.name === 'ssh-box')).toBe(false);
    await shot('nodes-host-key-invalid');
  });

  it('detects a local Express app in the wizard and shows the stack and its evidence', async () => {
    await page.getByRole('link', { name: 'Deploy' }).click();
    await page.getByLabel('Git URL or folder').fill(EXPRESS_APP);
    await page.getByRole('button', { name: 'Detect' }).click();
    const found = page.locator('.detection');
    await found.waitFor();
    await expect(found.getAttribute('data-stack')).resolves.toBe('node');
    await found.getByText('Node.js').waitFor();
    await found
      .locator('.tag', { hasText: /express/i })
      .first()
      .waitFor();
    await found.getByRole('list', { name: 'Evidence' }).getByText('package.json').first().waitFor();
    await found.getByText(/PostgreSQL/).waitFor();
    await expect(page.getByLabel('Port the app listens on').inputValue()).resolves.toMatch(/^\d+$/);
    await expect(page.getByRole('checkbox', { name: /PostgreSQL/ }).isChecked()).resolves.toBe(true);
    await shot('deploy-detect');

    // a source that is neither a URL nor an absolute path is refused in words
    await page.getByLabel('Git URL or folder').fill('-oops');
    await page.getByRole('button', { name: 'Detect' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /source/i })
      .waitFor();
  });

  it('deploys a static site through to a running instance (needs Docker)', async (ctx) => {
    if (noDocker) {
      console.warn(`Skipping the full deploy: ${noDocker}`);
      ctx.skip();
    }
    await page.getByLabel('Git URL or folder').fill(STATIC_SITE);
    await page.getByRole('button', { name: 'Detect' }).click();
    await page.locator('.detection[data-stack="static"]').waitFor();
    await page.getByLabel('App name').fill('e2e-site');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByRole('log', { name: 'Build output' }).locator('.log-line').first().waitFor();
    await shot('deploy-building');
    const build = page.locator('[data-build-status]');
    await expect
      .poll(() => build.getAttribute('data-build-status'), { timeout: 180_000, interval: 1000 })
      .toMatch(/^(done|failed|cancelled)$/);
    await shot('deploy-finished');
    const alert = await page
      .locator('.build .notice-error')
      .textContent()
      .catch(() => null);
    expect(await build.getAttribute('data-build-status'), alert ?? '').toBe('done');
    await page.getByRole('link', { name: 'Open the instance e2e-site' }).click();
    await page.getByRole('heading', { name: 'e2e-site', level: 1 }).waitFor();
    const instance = await apiGet<{ status: string; ports: Record<string, number> }>(
      berth,
      '/instances/e2e-site',
    );
    expect(instance.status).toBe('running');
    const port = Object.values(instance.ports)[0];
    const body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
    expect(body).toContain('static site served by berth');
    await shot('deploy-instance');
  }, 240_000);

  it('cancels a build midway and says so (needs Docker)', async (ctx) => {
    if (noDocker) ctx.skip();
    await page.getByRole('link', { name: 'Deploy' }).click();
    const again = page.getByRole('button', { name: 'Deploy something else' });
    if (await again.isVisible()) await again.click();
    await page.getByLabel('Git URL or folder').fill(SLOW_BUILD);
    await page.getByRole('button', { name: 'Detect' }).click();
    await page.locator('.detection[data-stack="dockerfile"]').waitFor();
    await page.getByLabel('App name').fill('e2e-slow');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const log = page.getByRole('log', { name: 'Build output' });
    await log.getByText('slow step starts').first().waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel build' }).click();
    await page.locator('[data-build-status="cancelled"]').waitFor({ timeout: 30_000 });
    await page
      .getByText(/The build was cancelled/)
      .first()
      .waitFor();
    await expect(page.locator('.phase-failed').textContent()).resolves.toBe('Build image');
    await shot('deploy-cancelled');
  }, 120_000);

  it('fits a phone’s width on the new pages', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [link, shotName] of [
      ['Integrations', 'integrations-phone'],
      ['Deploy', 'deploy-phone'],
      ['Ports', 'ports-all-hosts-phone'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, link).toBeLessThanOrEqual(0);
      await shot(shotName);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(consoleErrors).toEqual([]);
  });
});
