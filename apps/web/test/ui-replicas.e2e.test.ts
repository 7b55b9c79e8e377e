import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  isPortFree,
  type RunningBerth,
  signIn,
  startBerth,
} from './berth-harness.js';

/**
 * Issue 13 §2 in a real browser: a compose template's replicas, created through the form, each
 * listed in the instance detail with its own host port (the engine picks them: the service
 * publishes its container port alone); a template whose service publishes a host port is refused
 * at the replicas field. Ports: berth's API and proxy, and the hello template, in 22250–22349 (the refused host port 22340: never bound).
 */
const IMAGE = 'berth-test/busybox:latest';
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

const composeFile = (ports: string) => `services:
  web:
    image: ${IMAGE}
    init: true
    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports: ["${ports}"]
`;

/** Why this machine cannot run the test (no engine, no image, no compose CLI), or undefined. */
function unavailable(): Promise<string | undefined> {
  const ok = (cmd: string, args: string[]) =>
    new Promise<boolean>((done) => execFile(cmd, args, (err) => done(!err)));
  return (async () => {
    if (!(await ok('docker', ['image', 'inspect', IMAGE]))) return `no Docker engine with ${IMAGE}`;
    if (!(await ok('docker-compose', ['version'])) && !(await ok('docker', ['compose', 'version'])))
      return 'no compose CLI';
    return undefined;
  })();
}

const why = await unavailable();
if (why && process.env.BERTH_REQUIRE_DOCKER === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why}`);

async function apiPort(): Promise<number> {
  for (let p = 22250; p < 22259; p++) if ((await isPortFree(p)) && (await isPortFree(p + 1))) return p;
  throw new Error('no two free ports side by side in 22250–22259');
}

type Rows = { status: string; replicas: { running: number; items: { ports: { hostPort: number }[] }[] } };

describe.skipIf(why)('web UI: compose replicas, each with its own host port', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    assertChromium();
    berth = await startBerth(await apiPort());
    const dir = join(berth.home, 'compose');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'scalable.yml'), composeFile('80'));
    await writeFile(join(dir, 'fixed.yml'), composeFile('22340:80'));
    for (const [name, file] of [
      ['cweb', 'scalable.yml'],
      ['cfix', 'fixed.yml'],
    ] as const) {
      const res = await apiCall(berth, 'POST', '/templates', {
        name,
        source: { kind: 'compose', file: join(dir, file), service: 'web' },
        stopTimeoutSeconds: 1,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: DESKTOP });
    page.setDefaultTimeout(30_000);
    await signIn(page, berth);
  }, 180_000);

  afterAll(async () => {
    if (berth) await apiCall(berth, 'DELETE', '/instances/cw').catch(() => {});
    await browser?.close();
    await berth?.stop();
  }, 60_000);

  it('creates 2 replicas through the form; the detail lists each with its own host port', async () => {
    await page.goto(`${berth.url}/#/templates/cweb`);
    const form = page.locator('form[aria-label="New cweb instance"]');
    await form.getByLabel('Name', { exact: true }).fill('cw');
    await form.getByLabel('Replicas').fill('2');
    await form.getByRole('button', { name: 'Create instance' }).click();
    const cw = () => apiGet<Rows>(berth, '/instances/cw');
    await expect
      .poll(
        async () => {
          const i = await cw();
          return [i.status, i.replicas.running, i.replicas.items.filter((x) => x.ports.length === 1).length];
        },
        { timeout: 120_000, interval: 1000 },
      )
      .toEqual(['running', 2, 2]);
    const ports = (await cw()).replicas.items.map((x) => String(x.ports[0]!.hostPort));
    await page.goto(`${berth.url}/#/instances/cw`);
    await page.locator('[data-replicas-summary]').filter({ hasText: '2 of 2 running' }).waitFor();
    const cells = page.locator('.replicas-table tbody tr[data-replica-state="running"] [data-replica-ports]');
    await expect.poll(() => cells.count()).toBe(2);
    const shown = await cells.allTextContents();
    expect(shown).toEqual(ports.map((p) => `${p}→80/tcp`));
    expect(new Set(shown).size).toBe(2);
    await page.setViewportSize(PHONE);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await page.setViewportSize(DESKTOP);
  }, 180_000);

  it('refuses replicas 2 of a template whose service publishes a host port, at the replicas field', async () => {
    await page.goto(`${berth.url}/#/templates/cfix`);
    const form = page.locator('form[aria-label="New cfix instance"]');
    await form.getByLabel('Name', { exact: true }).fill('cf');
    await form.getByLabel('Replicas').fill('2');
    await form.getByRole('button', { name: 'Create instance' }).click();
    await form
      .locator('[data-field="replicas"]')
      .filter({ hasText: 'service web publishes host port 22340' })
      .waitFor();
    expect((await apiCall(berth, 'GET', '/instances/cf')).status).toBe(404);
  }, 60_000);
});
