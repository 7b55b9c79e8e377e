import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PORT_BLOCKS } from '../../../test/port-blocks.js';
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
  signIn,
  startBerth,
} from './berth-harness.js';

/**
 * Issue 17's missing surfaces in a real Chromium against `berth serve`: templates created and
 * edited in a form and as YAML (errors at their line), reloaded and deleted; Kill with its question,
 * log download (the file and the filtered view) and line wrap; port reservations of a range with
 * a note, and orphans removed after a question listing exactly what goes; nodes tested before
 * they are added. Every page at 1440 and 390 px without sideways scroll. Ports 22350–22599 (test/port-blocks.ts).
 */

const SHOTS = join(ROOT, 'test-artifacts/ui');
const [FIRST] = PORT_BLOCKS['web/ui-surfaces.e2e'];
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const LONG = `long-${'x'.repeat(30)}-`.repeat(12);

const SLOW_BUILD = join(ROOT, 'test/fixtures/build-slow-dockerfile');
/** scripts/test-images.sh makes these; they stand in for what the plan writes in FROM lines. */
const BASE_IMAGES = { 'busybox:1.36': 'berth-test/busybox:latest' };
const requireDocker = process.env.BERTH_REQUIRE_DOCKER === '1';

/** Why builds cannot run here (no engine, or no test base image), or undefined when they can. */
async function dockerProblem(): Promise<string | undefined> {
  try {
    await promisify(execFile)('/usr/bin/docker', ['image', 'inspect', BASE_IMAGES['busybox:1.36']], {
      timeout: 10_000,
    });
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

/** Logs three lines (one long), then keeps running and ignores SIGTERM: only a kill ends it soon. */
const talkerTemplate = {
  name: 'talker',
  source: {
    kind: 'command',
    command: process.execPath,
    args: [
      '-e',
      `process.on('SIGTERM',()=>console.log('ignoring SIGTERM'));console.log('alpha line');console.error('beta line');console.log(${JSON.stringify(LONG)});setInterval(()=>{},1000)`,
    ],
  },
  stopTimeoutSeconds: 60,
};

/** The BERTH_OWNER marker on the process of an instance this berth (its home) started. */
async function ownerMarker(instance: string, home: string): Promise<string> {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const env = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    const vars = env.split('\0');
    if (!vars.includes(`BERTH_INSTANCE=${instance}`)) continue;
    if (!vars.some((v) => v.startsWith(`BERTH_LOG_DIR=${home}/`))) continue;
    const owner = vars.find((v) => v.startsWith('BERTH_OWNER='));
    if (owner) return owner.slice('BERTH_OWNER='.length);
  }
  throw new Error(`no process of instance ${instance} found`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('web UI: templates, kill, logs, port reservations and orphans', { timeout: 120_000 }, () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;
  let base: number;
  let ghost: ChildProcess | undefined;
  let noDocker: string | undefined;
  let apps = '';
  const consoleErrors: string[] = [];

  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const open = async (hash: string, heading: string) => {
    await page.goto(`${berth.url}/${hash}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };
  const atBothWidths = async (name: string) => {
    for (const [size, vp] of [
      ['1440', DESKTOP],
      ['390', PHONE],
    ] as const) {
      await page.setViewportSize(vp);
      await page.waitForTimeout(100);
      expect(`${name} at ${size}: ${await sideways()}`).toBe(`${name} at ${size}: 0`);
      await page.screenshot({ path: join(SHOTS, `surfaces-${name}-${size}.png`), fullPage: true });
    }
    await page.setViewportSize(DESKTOP);
  };

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    base = await portBlock(FIRST);
    noDocker = await dockerProblem();
    if (noDocker && requireDocker)
      throw new Error(`BERTH_REQUIRE_DOCKER=1 but Docker is not usable: ${noDocker}`);
    apps = await mkdtemp(join(tmpdir(), 'berth-surfaces-apps-'));
    berth = await startBerth(base, {
      BERTH_BUILD_PORTS: `${base + 60}-${base + 69}`,
      BERTH_BASE_IMAGES: JSON.stringify(BASE_IMAGES),
      BERTH_ALLOW_PATHS: [apps, join(ROOT, 'test/fixtures')].join(':'),
    });
    const t = await apiCall(berth, 'POST', '/templates', talkerTemplate);
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    const created = await apiCall(berth, 'POST', '/instances?wait=1', { template: 'talker', name: 'talk' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: DESKTOP, acceptDownloads: true });
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
        path: join(SHOTS, `failed-surfaces-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    if (ghost?.pid && alive(ghost.pid)) process.kill(ghost.pid, 'SIGKILL');
    // talk ignores SIGTERM: killed here, so berth's shutdown does not wait out its stop timeout
    if (berth) await apiCall(berth, 'POST', '/instances/talk/kill').catch(() => undefined);
    await browser?.close();
    await berth?.stop();
    if (apps) await rm(apps, { recursive: true, force: true });
  }, 60_000);

  it('the log viewer wraps long lines and downloads the file or just the filtered lines', async () => {
    await open('#/instances/talk', 'talk');
    const log = page.getByRole('log', { name: 'Log lines' });
    await expect.poll(() => log.textContent(), { timeout: 20_000 }).toContain('beta line');
    const longRow = log.locator('.log-line', { hasText: 'long-' });
    expect((await longRow.boundingBox())?.height).toBe(20);
    expect(await log.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);

    await page.getByLabel('Wrap lines').check();
    await expect.poll(async () => (await longRow.boundingBox())?.height ?? 0).toBeGreaterThan(40);
    expect(await log.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);

    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download log' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe('talk.log');
    const whole = await readFile(await file.path(), 'utf8');
    expect(whole).toMatch(/^\d{4}-\d\d-\d\dT\S+ stdout alpha line$/m);
    expect(whole).toMatch(/ stderr beta line$/m);
    expect(whole).toContain(LONG);

    await page.getByPlaceholder('Search logs').fill('beta');
    const [part] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download this line' }).click(),
    ]);
    expect(part.suggestedFilename()).toBe('talk-filtered.log');
    const filtered = await readFile(await part.path(), 'utf8');
    expect(filtered.trim().split('\n')).toHaveLength(1);
    expect(filtered).toContain('stderr beta line');
    await page.getByPlaceholder('Search logs').fill('');
    await atBothWidths('instance-logs-wrapped');
  });

  it('Kill asks first, then stops the instance at once (it ignores SIGTERM)', async () => {
    await open('#/instances/talk', 'talk');
    await page.getByRole('button', { name: 'Kill talk' }).click();
    const question = page.getByRole('group', { name: 'Kill talk?' });
    await expect.poll(() => question.textContent()).toContain('no time to finish');
    await question.getByRole('button', { name: 'Keep' }).click();
    expect((await apiGet<{ status: string }>(berth, '/instances/talk')).status).toBe('running');

    await page.getByRole('button', { name: 'Kill talk' }).click();
    await question.getByRole('button', { name: 'Yes, kill' }).click();
    // stopTimeoutSeconds is 60 and the process ignores SIGTERM: only a kill stops it within the poll
    await expect
      .poll(async () => (await apiGet<{ status: string }>(berth, '/instances/talk')).status, {
        timeout: 20_000,
      })
      .toBe('stopped');
    await expect.poll(() => page.getByRole('button', { name: 'Kill talk' }).count()).toBe(0);
  });

  it('reserves a range of ports with a note and releases it', async () => {
    await open('#/ports', 'Ports');
    const form = page.getByRole('form', { name: 'Reserve ports on local' });
    await form.getByLabel('From').fill(String(base + 200));
    await form.getByLabel('To (optional)').fill(String(base + 204));
    await form.getByLabel('Note').fill('kept for the e2e test');
    await form.getByRole('button', { name: 'Reserve' }).click();
    const list = page.getByRole('list', { name: 'Reservations on local' });
    const range = `${base + 200}–${base + 204}/tcp`;
    await expect.poll(() => list.textContent(), { timeout: 20_000 }).toContain(range);
    expect(await list.textContent()).toContain('kept for the e2e test');
    const rows = await apiGet<{ port: number; ownerKind: string }[]>(berth, '/ports?host=local');
    expect(rows.filter((r) => r.ownerKind === 'reservation').map((r) => r.port)).toEqual(
      [0, 1, 2, 3, 4].map((i) => base + 200 + i),
    );
    await atBothWidths('ports-reserved');

    await page.getByRole('button', { name: `Release ${range}` }).click();
    await expect.poll(() => list.count(), { timeout: 20_000 }).toBe(0);
    const after = await apiGet<{ ownerKind: string }[]>(berth, '/ports?host=local');
    expect(after.filter((r) => r.ownerKind === 'reservation')).toEqual([]);
  });

  it('removes orphans only after a question listing exactly what goes', async () => {
    await apiCall(berth, 'POST', '/instances/talk/start?wait=1');
    const owner = await ownerMarker('talk', berth.home);
    ghost = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, BERTH_OWNER: owner, BERTH_INSTANCE_ID: 'gone-id', BERTH_INSTANCE: 'ghost' },
    });
    ghost.unref();
    const pid = ghost.pid ?? 0;
    await open('#/ports', 'Ports');
    const orphans = page.getByRole('list', { name: 'Orphans' });
    await expect
      .poll(async () => JSON.stringify(await apiGet(berth, '/orphans')), { timeout: 60_000, interval: 1_000 })
      .toContain('"instanceName":"ghost"');
    // berth cleanup's whole list: a data folder of no instance is on it too
    const stray = join(berth.home, 'home', 'instances', 'gone-template', 'stray'); // BERTH_HOME is <home>/home
    await mkdir(stray, { recursive: true });
    // the page lists what the server found when it loaded; a reload asks again at once
    await page.reload();
    await expect.poll(() => orphans.textContent(), { timeout: 20_000 }).toContain('was instance ghost');
    expect(await orphans.textContent()).toContain(stray);
    await page.getByRole('button', { name: 'Remove orphans…' }).click();
    const question = page.getByRole('group', { name: 'Remove these orphans?' });
    const goes = question.getByRole('list', { name: 'What goes' }).getByRole('listitem');
    await expect.poll(() => goes.count()).toBe(2);
    const ghostLine = goes.filter({ hasText: 'was instance ghost' });
    expect(await ghostLine.textContent()).toContain(String(pid));
    expect(await goes.filter({ hasText: stray }).count()).toBe(1);
    await atBothWidths('ports-orphans-question');
    expect(alive(pid)).toBe(true);

    await question.getByRole('button', { name: 'Yes, remove 2' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Removed 2' }).count(), { timeout: 20_000 })
      .toBe(1);
    await expect.poll(() => alive(pid), { timeout: 20_000 }).toBe(false);
    expect(await readdir(join(berth.home, 'home', 'instances', 'gone-template'))).toEqual([]);
    // the instance it shares the owner with is not an orphan and still runs
    expect((await apiGet<{ status: string }>(berth, '/instances/talk')).status).toBe('running');
    expect(consoleErrors).toEqual([]);
  });

  it('creates a template in the form, with a bad name shown at its field', async () => {
    await open('#/templates', 'Templates');
    await page.getByRole('button', { name: 'New template' }).click();
    const form = page.getByRole('form', { name: 'New template' });
    await form.getByLabel('Name', { exact: true }).fill('Greeter Two');
    await form.getByLabel('Description').fill('Says hi.');
    await form
      .getByLabel('Command')
      .fill(`node -e "require('http').createServer((q,s)=>s.end('hi')).listen(process.env.PORT)"`);
    await form.getByRole('button', { name: 'Create template' }).click();
    const nameError = form.locator('.field:has(#tpl-name) .field-error');
    await expect.poll(() => nameError.textContent(), { timeout: 20_000 }).toMatch(/lowercase/);
    expect((await apiCall(berth, 'GET', '/templates/greeter-two')).status).toBe(404);
    await atBothWidths('template-new-form');

    await form.getByLabel('Name', { exact: true }).fill('greeter');
    await form.getByRole('button', { name: 'Create template' }).click();
    await page.getByRole('heading', { name: 'greeter', level: 1 }).waitFor();
    const t = await apiGet<{
      template: { source: { command: string; args: string[] }; ports: { name: string }[] };
    }>(berth, '/templates/greeter');
    expect(t.template.source.command).toBe('node');
    expect(t.template.source.args).toEqual([
      '-e',
      "require('http').createServer((q,s)=>s.end('hi')).listen(process.env.PORT)",
    ]);
    expect(t.template.ports.map((p) => p.name)).toEqual(['http']);
  });

  it('edits a template as YAML: a syntax error and the API’s validation error each at its line', async () => {
    await open('#/templates/greeter', 'greeter');
    await page.getByRole('button', { name: 'Edit template' }).click();
    const form = page.getByRole('form', { name: 'Edit greeter' });
    await form.getByRole('button', { name: 'YAML' }).click();
    const editor = form.getByLabel('Template YAML');
    const original = await editor.inputValue();
    expect(original).toMatch(/^name: greeter$/m);

    const lines = original.split('\n');
    const portLine = lines.findIndex((l) => /- name: http/.test(l));
    expect(portLine).toBeGreaterThan(0);
    const indent = /^(\s*)-/.exec(lines[portLine] ?? '')?.[1] ?? '';
    lines.splice(portLine + 1, 0, `${indent}  preferred: 70000`);
    await editor.fill(lines.join('\n'));
    await form.getByRole('button', { name: 'Save template' }).click();
    const problems = form.getByRole('list', { name: 'Problems in the YAML' });
    await expect
      .poll(() => problems.textContent(), { timeout: 20_000 })
      .toContain(`Line ${portLine + 2}: ports.0.preferred`);
    expect(await form.locator('.yaml-gutter .bad').textContent()).toBe(String(portLine + 2));
    await atBothWidths('template-yaml-error');

    await editor.fill(
      `${original.replace(/^description: .*$/m, 'description: Says hello.')}\nbroken: [1, 2\n`,
    );
    await form.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => problems.textContent()).toMatch(/Line \d+:/);
    expect(
      (await apiGet<{ template: { description: string } }>(berth, '/templates/greeter')).template.description,
    ).toBe('Says hi.');

    await editor.fill(original.replace(/^description: .*$/m, 'description: Says hello.'));
    await form.getByRole('button', { name: 'Form' }).click();
    expect(await form.getByLabel('Description').inputValue()).toBe('Says hello.');
    await form.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved greeter' }).count()).toBe(1);
    expect(
      (await apiGet<{ template: { description: string } }>(berth, '/templates/greeter')).template.description,
    ).toBe('Says hello.');
  });

  it('refuses to delete a template in use, naming the instances, then deletes it', async () => {
    const made = await apiCall(berth, 'POST', '/instances', {
      template: 'greeter',
      name: 'greet-1',
      start: false,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await open('#/templates/greeter', 'greeter');
    await page.getByRole('button', { name: 'Delete template' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Not deleted' });
    await expect.poll(() => refusal.textContent(), { timeout: 20_000 }).toContain('used by instance greet-1');
    expect((await apiCall(berth, 'GET', '/templates/greeter')).status).toBe(200);

    expect((await apiCall(berth, 'DELETE', '/instances/greet-1')).status).toBe(204);
    await page.getByRole('button', { name: 'Delete template' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
    await expect.poll(async () => (await apiCall(berth, 'GET', '/templates/greeter')).status).toBe(404);
  });

  it('reloads the templates folder and says what it found', async () => {
    const extra = talkerTemplate.source.args[1] ?? '';
    await writeFile(
      join(berth.home, 'templates', 'extra.yaml'),
      `name: extra\nsource:\n  kind: command\n  command: node\n  args: ["-e", ${JSON.stringify(extra)}]\n`,
    );
    await open('#/templates', 'Templates');
    await page.getByRole('button', { name: 'Reload from folder' }).click();
    // the folder may be watched too, so extra is added by the reload or was already: either way it is there
    const said = page.getByRole('status').filter({ hasText: `Read ${join(berth.home, 'templates')}:` });
    await expect.poll(() => said.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByRole('link', { name: 'extra', exact: true }).count()).toBe(1);
    await atBothWidths('templates-reloaded');
  });

  it('the deploy wizard names the app from package.json and offers Back to options and Retry after a failure (needs Docker)', async (ctx) => {
    if (noDocker) ctx.skip();
    const shop = join(apps, 'shop');
    await mkdir(shop, { recursive: true });
    await writeFile(join(shop, 'package.json'), '{"name":"@acme/shop-api","version":"1.0.0"}\n');
    await writeFile(join(shop, 'Dockerfile'), 'FROM busybox:1.36\nRUN echo "about to fail" && exit 3\n');
    await open('#/deploy', 'Deploy from a repository');
    await page.getByLabel('Git URL or folder').fill(shop);
    await page.getByRole('button', { name: 'Detect' }).click();
    const name = page.getByLabel('App name');
    await expect.poll(() => name.inputValue(), { timeout: 30_000 }).toBe('shop-api');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const build = page.locator('[data-build-status]').first();
    await expect
      .poll(() => build.getAttribute('data-build-status'), { timeout: 90_000, interval: 1_000 })
      .toBe('failed');
    await expect
      .poll(() => page.getByRole('log', { name: 'Build output' }).first().textContent())
      .toContain('about to fail');
    await atBothWidths('deploy-failed');

    await page.getByRole('button', { name: 'Retry' }).click();
    await expect
      .poll(
        async () =>
          (await apiGet<{ name: string; attempt: number; status: string }[]>(berth, '/builds')).find(
            (b) => b.name === 'shop-api',
          ),
        {
          timeout: 90_000,
          interval: 1_000,
        },
      )
      .toMatchObject({ attempt: 2, status: 'failed' });
    await page.getByRole('button', { name: 'Back to options' }).click();
    expect(await name.inputValue()).toBe('shop-api');
    expect(await page.getByRole('button', { name: 'Deploy', exact: true }).isVisible()).toBe(true);
  });

  it('lists builds with status, time, repository and commit; opens a log; redeploys and cancels (needs Docker)', async (ctx) => {
    if (noDocker) ctx.skip();
    // a git repository of its own: the build's row names the commit its clone checked out
    const repo = join(apps, 'repo');
    await mkdir(repo, { recursive: true });
    await writeFile(join(repo, 'Dockerfile'), 'FROM busybox:1.36\nRUN echo "repo fails too" && exit 4\n');
    const git = (...args: string[]) => promisify(execFile)('git', ['-C', repo, ...args]);
    await git('init', '-q');
    await git('add', 'Dockerfile');
    await git('-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', 'commit', '-q', '-m', 'first');
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
    const fromGit = await apiCall(berth, 'POST', '/builds', { source: `file://${repo}`, name: 'from-git' });
    expect(fromGit.status, JSON.stringify(fromGit.body)).toBe(202);
    const slow = await apiCall(berth, 'POST', '/builds', { source: SLOW_BUILD, name: 'slow-one' });
    expect(slow.status, JSON.stringify(slow.body)).toBe(202);
    await open('#/deploy', 'Deploy from a repository');
    const table = page.getByRole('table', { name: 'Builds' });
    const row = (app: string) => table.locator(`tr[data-build="${app}"]`);
    await expect.poll(() => row('shop-api').textContent(), { timeout: 20_000 }).toContain('failed');
    const shopRow = await row('shop-api').textContent();
    expect(shopRow).toContain('attempt 2');
    expect(shopRow).toContain(join(apps, 'shop'));
    expect(shopRow).toMatch(/\d+ s/);

    await expect.poll(() => row('from-git').textContent(), { timeout: 90_000 }).toContain('failed');
    expect(await row('from-git').textContent()).toContain(sha.slice(0, 12));
    expect(await row('shop-api').textContent()).not.toMatch(/[0-9a-f]{12}/);

    await page.getByRole('button', { name: 'Log of shop-api' }).click();
    const opened = page.getByRole('region', { name: 'Build of shop-api' });
    await expect
      .poll(() => opened.getByRole('log', { name: 'Build output' }).textContent(), { timeout: 20_000 })
      .toContain('about to fail');

    await page.getByRole('button', { name: 'Redeploy shop-api' }).click();
    await expect
      .poll(
        async () =>
          (await apiGet<{ name: string; attempt: number; status: string }[]>(berth, '/builds')).find(
            (b) => b.name === 'shop-api',
          ),
        {
          timeout: 90_000,
          interval: 1_000,
        },
      )
      .toMatchObject({ attempt: 3, status: 'failed' });

    await expect
      .poll(() => row('slow-one').textContent(), { timeout: 60_000 })
      .toMatch(/building|importing|queued|detecting/);
    await page.getByRole('button', { name: 'Cancel slow-one' }).click();
    await expect
      .poll(
        async () =>
          (await apiGet<{ name: string; status: string }[]>(berth, '/builds')).find(
            (b) => b.name === 'slow-one',
          )?.status,
        {
          timeout: 60_000,
        },
      )
      .toBe('cancelled');
    await expect.poll(() => row('slow-one').textContent(), { timeout: 20_000 }).toContain('cancelled');
    await atBothWidths('builds-list');
  });

  it('Test before Add: a node that does not answer is shown so, not saved, and added only with Add anyway', async () => {
    let closed = base + 99;
    while (!(await isPortFree(closed))) closed--;
    await open('#/nodes', 'Nodes');
    const form = page.getByRole('form', { name: 'Add a node' });
    await form.getByLabel('Name').fill('far-box');
    await form.getByLabel('Host address').fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(closed));
    await form.getByRole('button', { name: 'Test connection' }).click();
    const result = form.getByRole('status', { name: 'Test result' });
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain('It does not answer');
    const names = async () => (await apiGet<{ name: string }[]>(berth, '/nodes')).map((n) => n.name);
    expect(await names()).toEqual(['local']);
    await atBothWidths('nodes-test-failed');

    await form.getByRole('button', { name: 'Add node' }).click();
    const refusal = form.getByRole('alert').filter({ hasText: 'Not added' });
    await expect.poll(() => refusal.count(), { timeout: 30_000 }).toBe(1);
    expect(await names()).toEqual(['local']);
    await refusal.getByRole('button', { name: 'Add anyway' }).click();
    await expect.poll(names, { timeout: 30_000 }).toContain('far-box');
    expect(consoleErrors).toEqual([]);
  });
});
