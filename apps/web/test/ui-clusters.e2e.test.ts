import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeKube } from '@berth/fake-kube';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  isPortFree,
  ROOT,
  type RunningBerth,
  signIn,
  startBerth,
} from './berth-harness.js';

/**
 * Issue 13 §6 in a real browser: a kubernetes node added through the add-node form (its cluster
 * is fake-kube, whose pods run as local containers), an instance of 2 replicas created on it
 * through the create form and its card showing 2/2; replicas 2 on local refused at the field.
 * Ports: berth's API and proxy in 24900–24929; the template's NodePorts 31800–31849 (inside
 * fake-kube's NodePort range).
 */
const IMAGE = 'berth-test/node:20';
const SHOTS = join(ROOT, 'test-artifacts/ui');
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const KWEB = {
  name: 'kweb',
  source: {
    kind: 'image',
    image: IMAGE,
    command: ['node', '-e', "require('http').createServer((q, s) => s.end('hi')).listen(8080)"],
  },
  ports: [{ name: 'http', containerPort: 8080, preferred: 31800, range: [31800, 31849] }],
  readiness: { kind: 'http', port: 'http', path: '/' },
  stopTimeoutSeconds: 2,
};

const why = await FakeKube.unavailable([IMAGE]);
if (why && process.env.BERTH_REQUIRE_DOCKER === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why}`);

/** An API port p in 24900–24928 with p + 1 (the proxy) free too. */
async function apiPort(): Promise<number> {
  for (let p = 24900; p < 24929; p++) if ((await isPortFree(p)) && (await isPortFree(p + 1))) return p;
  throw new Error('no two free ports side by side in 24900–24929');
}

type Kw = { status: string; node: string; replicas: { desired: number; running: number } };

describe.skipIf(why)('web UI: nodes of each kind, replicas at create (fake-kube)', () => {
  let berth: RunningBerth;
  let kube: FakeKube;
  let browser: Browser;
  let page: Page;
  let kubeconfig: string;

  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const shots = async (name: string) => {
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
    expect(await sideways()).toBeLessThanOrEqual(0);
    await page.setViewportSize(DESKTOP);
  };

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    kube = await FakeKube.start({ backoffMs: 500 });
    berth = await startBerth(await apiPort());
    kubeconfig = join(berth.home, 'kubeconfig');
    await writeFile(kubeconfig, kube.kubeconfig());
    expect((await apiCall(berth, 'POST', '/templates', KWEB)).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: DESKTOP });
    page.setDefaultTimeout(30_000);
    await signIn(page, berth);
  }, 240_000);

  afterAll(async () => {
    if (berth) await apiCall(berth, 'DELETE', '/instances/kw').catch(() => {});
    await browser?.close();
    await berth?.stop();
    await kube?.close();
  }, 60_000);

  it('adds a kubernetes node through the form; a bad kubeconfig is shown at its field', async () => {
    await page.goto(`${berth.url}/#/nodes`);
    const form = page.locator('form[aria-label="Add a node"]');
    await form.getByLabel('Kind').selectOption('kubernetes');
    await form.getByLabel('Name', { exact: true }).fill('kube');
    await form.getByLabel('Kubeconfig file').fill(join(berth.home, 'no-such-kubeconfig'));
    await form.getByRole('button', { name: 'Add node' }).click();
    await form.locator('#node-kubeconfig ~ .field-error').filter({ hasText: 'cannot be read' }).waitFor();

    await form.getByLabel('Kubeconfig file').fill(kubeconfig);
    await form.getByLabel('Namespace (optional)').fill('default');
    // NodePort (the default) or ClusterIP behind berth's proxy; a storage class for persistent data
    await form.getByLabel('Ports', { exact: true }).selectOption('NodePort');
    await form.getByLabel('Storage class (optional)').waitFor();
    await form.getByRole('button', { name: 'Add node' }).click();
    await form.locator('.notice-calm').filter({ hasText: 'Reachable' }).waitFor();
    const row = page.locator('tr[data-node="kube"]');
    await row.locator('.badge.node-ready').waitFor();
    await expect(row.locator('td').first().textContent()).resolves.toBe('kubernetes');
    await form.getByLabel('Kind').selectOption('swarm'); // the swarm fields, for the pictures
    await form.getByLabel('Publish ports').waitFor();
    await shots('nodes-kinds');
  }, 120_000);

  it('creates 2 replicas on the kubernetes node through the create form; the card shows 2/2', async () => {
    await page.goto(`${berth.url}/#/templates/kweb`);
    const form = page.locator('form[aria-label="New kweb instance"]');
    await form.getByLabel('Node', { exact: true }).selectOption('kube');
    await form.getByLabel('Name', { exact: true }).fill('kw');
    await form.getByLabel('Replicas').fill('2');
    await shots('create-on-node');
    await form.getByRole('button', { name: 'Create instance' }).click();
    const kw = () => apiGet<Kw>(berth, '/instances/kw');
    await expect
      .poll(async () => JSON.stringify(await kw().then((i) => [i.status, i.replicas.running])), {
        timeout: 120_000,
        interval: 1000,
      })
      .toBe('["running",2]');
    const created = await kw();
    expect([created.node, created.replicas.desired]).toEqual(['kube', 2]);
    await page.goto(`${berth.url}/#/instances`);
    await page.locator('article[data-instance="kw"] [data-replicas="2/2"]').waitFor();
    // the detail page says how many of the wanted replicas run
    await page.goto(`${berth.url}/#/instances/kw`);
    await page.locator('[data-replicas-summary]').filter({ hasText: '2 of 2 running' }).waitFor();
    // and lists each replica: its node and state (Kubernetes' pod phase)
    const rows = page.locator('.replicas-table tbody tr[data-replica-state="Running"]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().locator('td').first().textContent()).toBe('fake-kube-node');
    // kweb asks for no persistence: its data is the pod's emptyDir, and the overview says so
    await page
      .locator('[data-instance-data="emptyDir"]')
      .filter({ hasText: 'lost when the pod goes' })
      .waitFor();
  }, 180_000);

  it('refuses replicas 2 on local at the replicas field', async () => {
    await page.goto(`${berth.url}/#/templates/kweb`);
    const form = page.locator('form[aria-label="New kweb instance"]');
    await form.getByLabel('Node', { exact: true }).selectOption('local');
    await form.getByLabel('Name', { exact: true }).fill('kl');
    await form.getByLabel('Replicas').fill('2');
    await form.getByRole('button', { name: 'Create instance' }).click();
    await form.locator('[data-field="replicas"]').filter({ hasText: 'replicas' }).waitFor();
    await expect(form.getByLabel('Replicas').getAttribute('aria-invalid')).resolves.toBe('true');
    await shots('create-replicas-refused');
    expect((await apiCall(berth, 'GET', '/instances/kl')).status).toBe(404);
  }, 60_000);
});
