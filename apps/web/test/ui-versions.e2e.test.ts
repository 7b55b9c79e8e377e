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
 * Issue 16 §2 in a real browser against a real `berth serve`: the template page lists its
 * versions with Install, the create form's version select, the edit form's. Ports 8920–8999
 * (test/port-blocks.ts): the API and proxy at +0 and +1, the hello template +10…+59, the
 * versioned template +60…+79.
 */

const SHOTS = join(ROOT, 'test-artifacts/ui');
const [FIRST] = PORT_BLOCKS['web/ui-versions.e2e'];

/** An install step writing run.sh into $BERTH_VERSION_DIR: a server answering its version. */
function installOf(version: string): string[] {
  const server = `require('http').createServer((q,r)=>r.end('${version}')).listen(process.env.PORT)`;
  const sh = `#!/bin/sh\nexec "${process.execPath}" -e "${server.replaceAll('"', '\\"')}"\n`;
  const code = `require('fs').writeFileSync(process.env.BERTH_VERSION_DIR+'/run.sh',${JSON.stringify(sh)},{mode:0o755})`;
  return [process.execPath, '-e', code];
}

const tool = {
  name: 'tool',
  source: {
    kind: 'command',
    command: 'false',
    versions: {
      v1: { command: '${BERTH_VERSION_DIR}/run.sh', install: installOf('v1') },
      v2: { command: '${BERTH_VERSION_DIR}/run.sh', install: installOf('v2') },
    },
  },
  ports: [{ name: 'http', env: 'PORT', preferred: FIRST + 60, range: [FIRST + 60, FIRST + 79] }],
  readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
};

interface Instance {
  url: string;
  status: string;
  version: string | null;
}

describe('web UI: versions of a program', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  const answer = async () => {
    const i = await apiGet<Instance>(berth, '/instances/app');
    return (await (await fetch(i.url)).text()).trim();
  };

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    berth = await startBerth(FIRST);
    expect((await apiCall(berth, 'POST', '/templates', tool)).status).toBe(201);
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
        path: join(SHOTS, `failed-versions-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await berth?.stop();
  }, 60_000);

  it('lists the versions and installs one with its button', async () => {
    await page.goto(`${berth.url}/#/templates/tool`);
    const table = page.getByRole('table', { name: 'Versions of tool' });
    const v1 = table.getByRole('row', { name: /^v1 / });
    const installed = v1.locator('td').nth(1);
    await expect.poll(() => installed.textContent(), { timeout: 20_000 }).toBe('not installed');
    await v1.getByRole('button', { name: 'Install version v1' }).click();
    await expect.poll(() => installed.textContent(), { timeout: 60_000 }).toBe('installed');
    await page.getByText('Installed version v1.').waitFor();
  }, 120_000);

  it('creates an instance on a version chosen in the form; the table names it as the user', async () => {
    const form = page.locator('form[aria-label="New tool instance"]');
    await form.getByLabel('Version').selectOption('v1');
    await form.getByLabel('Name', { exact: true }).fill('app');
    await form.getByRole('button', { name: 'Create instance' }).click();
    await expect
      .poll(
        async () =>
          JSON.stringify(await apiGet<Instance>(berth, '/instances/app').then((i) => [i.status, i.version])),
        {
          timeout: 60_000,
          interval: 500,
        },
      )
      .toBe('["running","v1"]');
    expect(await answer()).toBe('v1');
    const v1 = page.getByRole('table', { name: 'Versions of tool' }).getByRole('row', { name: /^v1 / });
    await expect.poll(() => v1.locator('td').nth(2).textContent(), { timeout: 20_000 }).toBe('app');
    await page.screenshot({ path: join(SHOTS, 'template-versions.png'), fullPage: true });
  }, 120_000);

  it('the edit form changes the version; Save and apply installs v2 and runs it', async () => {
    await page.goto(`${berth.url}/#/instances/app`);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('form', { name: 'Edit app' });
    await form.getByLabel('Version').selectOption('v2');
    const diff = form.getByRole('region', { name: 'What will change' });
    await expect.poll(() => diff.textContent(), { timeout: 20_000 }).toContain('version: v1 → v2');
    await form.getByRole('button', { name: 'Save and apply' }).click();
    await expect.poll(() => answer().catch(() => ''), { timeout: 90_000, interval: 500 }).toBe('v2');
    expect(consoleErrors).toEqual([]);
  }, 150_000);
});
