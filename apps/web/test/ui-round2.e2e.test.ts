import { mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  portBlock,
  ROOT,
  type RunningBerth,
  signIn,
  startBerth,
} from './berth-harness.js';

/**
 * Issue 17's defects 1–5, 7 and 8 in a real Chromium against `berth serve`: live logs under a
 * burst, each line's time and order, which port each proxy link serves, phone layouts, scroll
 * position, signals while the server is down or an instance is unknown or stopped or backing off,
 * and the charts. Ports 22000–22249 (test/port-blocks.ts): the API +0, the proxy +1, berth's picks
 * for the instances +10…+69.
 */

const SHOTS = join(ROOT, 'test-artifacts/ui');
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** An HTTP server that logs on request: `/burst/N` N stdout lines at once, `/pair` out/err/out/err apart. */
function chatterTemplate(base: number) {
  const script = [
    "const http=require('http');",
    'const wait=(ms)=>new Promise((r)=>setTimeout(r,ms));',
    'http.createServer(async(q,s)=>{',
    "const m=/^\\/burst\\/(\\d+)$/.exec(q.url||'');",
    "if(m){let out='';for(let i=0;i<Number(m[1]);i++)out+='burst line '+i+'\\n';process.stdout.write(out);return s.end('ok')}",
    "if(q.url==='/pair'){for(const [n,err] of [[1,0],[2,1],[3,0],[4,1]]){(err?process.stderr:process.stdout).write((err?'err ':'out ')+n+'\\n');await wait(30)}return s.end('ok')}",
    "s.end('chatter')",
    "}).listen(process.env.PORT,()=>console.log('listening on '+process.env.PORT));",
  ].join('');
  return {
    name: 'chatter',
    source: { kind: 'command', command: process.execPath, args: ['-e', script] },
    ports: [{ name: 'http', env: 'PORT', preferred: base + 10, range: [base + 10, base + 39] }],
    readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
  };
}

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
      { name: 'metrics', env: 'METRICS_PORT', preferred: base + 40, range: [base + 40, base + 49] },
      { name: 'http', env: 'PORT', preferred: base + 50, range: [base + 50, base + 59] },
    ],
    readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
  };
}

/** Exits with code 3 soon after it starts; berth waits 30 s before each of its 5 restarts. */
const crashyTemplate = {
  name: 'crashy',
  source: { kind: 'command', command: process.execPath, args: ['-e', 'setTimeout(()=>process.exit(3),300)'] },
  restart: { policy: 'on-failure', maxRetries: 5, backoffSeconds: 30 },
};

/** A command that does not exist, with a long unbreakable path: its failure event is one long word. */
const missingTemplate = {
  name: 'missing',
  source: { kind: 'command', command: `/opt/${'container-0123456789abcdef'.repeat(4)}/bin/server` },
};

/** GET through berth's proxy with the Host a link names (`metrics.duo.localhost:<proxy>`). */
function viaProxy(proxyUrl: string): Promise<string> {
  const u = new URL(proxyUrl);
  return new Promise((done, fail) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: Number(u.port), path: u.pathname, headers: { host: u.host } },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => done(body));
      },
    );
    req.once('error', fail);
    req.end();
  });
}

describe('web UI, round 2: live views to trust, phone layouts that hold', () => {
  let berth: RunningBerth;
  let browser: Browser;
  let page: Page;
  let base: number;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const card = (name: string) => page.locator(`[data-instance="${name}"]`);
  const log = () => page.getByRole('log', { name: 'Log lines' });
  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const open = async (hash: string, heading: string) => {
    await page.goto(`${berth.url}/${hash}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };
  const create = async (template: string, name: string, wait = true, start = true) => {
    const res = await apiCall(berth, 'POST', `/instances${wait ? '?wait=1' : ''}`, { template, name, start });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  };

  beforeAll(async () => {
    assertChromium();
    await mkdir(SHOTS, { recursive: true });
    base = await portBlock(22000);
    berth = await startBerth(base, { BERTH_SAMPLE_SECONDS: '1' });
    for (const t of [chatterTemplate(base), duoTemplate(base), crashyTemplate, missingTemplate]) {
      const res = await apiCall(berth, 'POST', '/templates', t);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    for (const name of ['chat-1', 'chat-2', 'chat-3', 'chat-4']) await create('chatter', name);
    await create('duo', 'pair');
    await create('crashy', 'crashy', false, false);
    await create('missing', 'missing', false);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: DESKTOP });
    page.setDefaultTimeout(20_000);
    await signIn(page, berth);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      await page.screenshot({
        path: join(SHOTS, `failed-round2-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await berth?.stop();
  }, 60_000);

  it('logs: Follow stays on through a burst of 10,000 lines, and only the rows in sight are in the page', async () => {
    await open('#/instances/chat-1', 'chat-1');
    await log()
      .getByText(/listening on/)
      .waitFor();
    const port = (await apiGet<{ ports: { http: number } }>(berth, '/instances/chat-1')).ports.http;
    const follow = page.getByRole('checkbox', { name: 'Follow' });

    await fetch(`http://127.0.0.1:${port}/burst/300`);
    await log().getByText('burst line 299', { exact: true }).waitFor();
    expect(await follow.isChecked()).toBe(true);

    await fetch(`http://127.0.0.1:${port}/burst/10000`);
    await log().getByText('burst line 9999', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await follow.isChecked()).toBe(true);
    // the last line is in view: the box is scrolled to its bottom
    const gap = await log().evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    expect(gap).toBeLessThan(2);
    expect(Number(await log().locator('[data-lines]').getAttribute('data-lines'))).toBeGreaterThan(10_000);
    expect(await log().locator('.log-line').count()).toBeLessThan(200);

    // the person scrolling up turns Follow off; back at the bottom it is on again
    await log().hover();
    await page.mouse.wheel(0, -2000);
    await expect.poll(() => follow.isChecked(), { timeout: 10_000 }).toBe(false);
    await log().getByText('burst line 9999', { exact: true }).waitFor({ state: 'detached' });
    await log().evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(() => follow.isChecked(), { timeout: 10_000 }).toBe(true);
    await log().getByText('burst line 9999', { exact: true }).waitFor();
  });

  it('logs: each line shows its own time, stdout and stderr in the order written', async () => {
    await open('#/instances/chat-2', 'chat-2');
    await log()
      .getByText(/listening on/)
      .waitFor();
    const port = (await apiGet<{ ports: { http: number } }>(berth, '/instances/chat-2')).ports.http;
    await fetch(`http://127.0.0.1:${port}/pair`);
    await log().getByText('err 4', { exact: true }).waitFor();
    const rows = await log()
      .locator('.log-line')
      .evaluateAll((els) =>
        els.map((el) => ({
          text: el.querySelector('.log-text')?.textContent ?? '',
          stream: Array.from(el.classList).find((c) => c.startsWith('stream-')),
          time: el.querySelector('time')?.getAttribute('datetime'),
        })),
      );
    const pair = rows.filter((r) => /^(out|err) \d$/.test(r.text));
    expect(pair.map((r) => `${r.stream} ${r.text}`)).toEqual([
      'stream-stdout out 1',
      'stream-stderr err 2',
      'stream-stdout out 3',
      'stream-stderr err 4',
    ]);
    const lines = await apiGet<{ ts: number; line: string }[]>(berth, '/instances/chat-2/logs?tail=20');
    for (const r of pair) {
      const written = lines.find((l) => l.line === r.text);
      expect(r.time).toBe(new Date(written?.ts ?? 0).toISOString());
    }
    expect(new Set(pair.map((r) => r.time)).size).toBe(4);
  });

  it('links: each proxied port has its own link, saying its port, and reaches that port', async () => {
    await open('#/instances', 'Instances');
    const pair = card('pair');
    await pair.getByRole('link', { name: /^metrics\.pair\.localhost:/ }).waitFor();
    const item = (port: string) => pair.getByRole('listitem').filter({ hasText: new RegExp(`^${port} `) });
    for (const port of ['metrics', 'http']) {
      const links = item(port).getByRole('link', { name: /localhost:\d+$/ });
      expect(await links.count()).toBe(1);
      const href = (await links.getAttribute('href')) ?? '';
      expect(await links.getAttribute('title')).toContain(`port ${port}`);
      expect(await viaProxy(href)).toBe(port);
    }
    const viaBerth = pair.getByRole('listitem').filter({ hasText: 'via berth' });
    expect(await viaBerth.textContent()).toContain('→ http');
    expect(await viaProxy((await viaBerth.getByRole('link').getAttribute('href')) ?? '')).toBe('http');
  });

  it('charts: scale to the data with ticks, show a value on hover, take a time range, and show disk', async () => {
    await open('#/instances/chat-3', 'chat-3');
    const cpu = page.locator('[data-chart="CPU"]');
    // samples every second: wait for a line to draw
    await cpu.locator('.chart-line').waitFor({ timeout: 30_000 });
    const ticks = await cpu.locator('.chart-tick').allTextContents();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    // an idle server uses far less than a core: the axis is not 0–100 %
    expect(ticks).not.toContain('100 %');
    await page.locator('[data-chart="Memory"] .chart-tick').first().waitFor();
    await page.locator('[data-chart="Disk"]').waitFor();

    const plot = cpu.locator('.chart-plot');
    const box = await plot.boundingBox();
    await plot.hover({ position: { x: (box?.width ?? 8) - 4, y: 40 } });
    const tip = cpu.locator('.chart-tip');
    await tip.waitFor();
    expect(await tip.textContent()).toMatch(/\d{1,2}:\d{2}:\d{2}.* · [\d.]+ %/);

    const asked = page.waitForRequest((r) => /\/instances\/chat-3\/stats\?since=\d+/.test(r.url()));
    await page.getByLabel('1 h').check();
    const since = Number(new URL((await asked).url()).searchParams.get('since'));
    expect(Date.now() - since).toBeGreaterThan(59 * 60_000);
    await shot('round2-charts-desktop');
  });

  it('host CPU reads as a share of the whole machine', async () => {
    await open('#/', 'Dashboard');
    const cpu = page.locator('[data-host-cpu]');
    await expect.poll(() => cpu.textContent(), { timeout: 20_000 }).toMatch(/%/);
    expect(Number.parseFloat((await cpu.textContent()) ?? '')).toBeLessThanOrEqual(100);
    await page.getByText(/of the whole machine \(\d+ cores?\)/).waitFor();
  });

  it('a stopped instance shows — for CPU and memory, not its last sample', async () => {
    await open('#/instances/chat-4', 'chat-4');
    await page.locator('[data-chart="Memory"] .chart-line').waitFor({ state: 'attached', timeout: 30_000 });
    await expect
      .poll(() => page.locator('[data-chart="Memory"] [data-current]').textContent(), { timeout: 20_000 })
      .not.toBe('—');
    expect((await apiCall(berth, 'POST', '/instances/chat-4/stop?wait=1')).status).toBeLessThan(300);
    await page.locator('[data-status="stopped"]').waitFor();
    for (const chart of ['CPU', 'Memory', 'Disk']) {
      await expect
        .poll(() => page.locator(`[data-chart="${chart}"] [data-current]`).textContent(), { timeout: 20_000 })
        .toBe('—');
    }
    await open('#/instances', 'Instances');
    await card('chat-4').locator('.metric').first().waitFor();
    expect(await card('chat-4').locator('.metric').allTextContents()).toEqual(['—', '—']);
  });

  it('restart backoff: "restarting in N s (attempt 1 of 5)" with Start now and Stop retrying', async () => {
    await open('#/instances', 'Instances');
    await page.getByRole('button', { name: 'Start crashy', exact: true }).click();
    const crashy = card('crashy');
    await crashy.getByText(/restarting in \d+ s \(attempt 1 of 5\)/).waitFor({ timeout: 30_000 });
    expect(await crashy.locator('.badge').first().textContent()).toBe('restarting');
    await crashy.getByRole('button', { name: 'Start now crashy' }).waitFor();
    expect(await crashy.getByRole('button', { name: 'Start crashy', exact: true }).count()).toBe(0);
    await shot('round2-backoff');
    await crashy.getByRole('button', { name: 'Stop retrying crashy' }).click();
    await crashy.locator('[data-status="stopped"]').waitFor();
    const after = await apiGet<{ desiredState: string; nextRetryAt: number | null }>(
      berth,
      '/instances/crashy',
    );
    expect(after).toMatchObject({ desiredState: 'stopped', nextRetryAt: null });
  });

  it('an unknown instance says there is no such instance and stops asking', async () => {
    const asked: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/instances/no-such-one')) asked.push(r.url());
    });
    await page.goto(`${berth.url}/#/instances/no-such-one`);
    await page.getByText('No such instance “no-such-one”').waitFor();
    expect(await page.getByRole('status', { name: /loading/i }).count()).toBe(0);
    const after = asked.length;
    // the page polled every 3 s before; nothing more may come
    await page.waitForTimeout(7000);
    expect(asked.length).toBe(after);
  });

  it('a new page opens at its top, and Back returns to where the list was', async () => {
    await page.setViewportSize(PHONE);
    await open('#/instances', 'Instances');
    await card('pair').waitFor();
    const y = await page.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      return window.scrollY;
    });
    expect(y).toBeGreaterThan(600);
    await expect.poll(() => page.evaluate(() => window.scrollY), { timeout: 10_000 }).toBe(y);
    await card('missing').getByRole('link', { name: 'missing', exact: true }).click();
    await page.getByRole('heading', { name: 'missing', level: 1 }).waitFor();
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await page.goBack();
    await page.getByRole('heading', { name: 'Instances', level: 1 }).waitFor();
    await expect.poll(() => page.evaluate(() => window.scrollY), { timeout: 10_000 }).toBe(y);
  });

  it('no page scrolls sideways at 390 px; the nav is one row; every page at both widths', async () => {
    const pages: [string, string, string][] = [
      ['dashboard', '#/', 'Dashboard'],
      ['instances', '#/instances', 'Instances'],
      ['instance-detail', '#/instances/pair', 'pair'],
      ['instance-failed', '#/instances/missing', 'missing'],
      ['templates', '#/templates', 'Templates'],
      ['template-detail', '#/templates/chatter', 'chatter'],
      ['deploy', '#/deploy', 'Deploy'],
      ['ports', '#/ports', 'Ports'],
      ['nodes', '#/nodes', 'Nodes'],
      ['integrations', '#/integrations', 'Integrations'],
      ['tokens', '#/tokens', 'Tokens'],
    ];
    for (const [size, label] of [
      [PHONE, 'phone'],
      [DESKTOP, 'desktop'],
    ] as const) {
      await page.setViewportSize(size);
      for (const [name, hash, heading] of pages) {
        await open(hash, heading);
        // the data, not only the skeletons
        await page
          .waitForFunction(() => !document.querySelector('[aria-busy="true"]'))
          .catch(() => undefined);
        expect(`${name}: ${await sideways()}`).toBe(`${name}: 0`);
        await shot(`round2-${name}-${label}`);
      }
    }
    await page.setViewportSize(PHONE);
    await open('#/', 'Dashboard');
    const nav = await page.locator('nav.nav').boundingBox();
    expect(nav?.height ?? 999).toBeLessThanOrEqual(64);
    await open('#/nodes', 'Nodes');
    for (const button of await page.locator('[data-node] button').all()) {
      const b = await button.boundingBox();
      expect((b?.x ?? 0) + (b?.width ?? 0)).toBeLessThanOrEqual(390);
    }
    await open('#/ports', 'Ports');
    const row = page.locator('table tbody tr').first();
    await row.waitFor();
    expect((await row.boundingBox())?.height ?? 999).toBeLessThan(110);
  });

  it('the server down: one banner, live data greyed as stale, actions off', async () => {
    await page.setViewportSize(DESKTOP);
    await open('#/instances', 'Instances');
    await card('pair').locator('[data-status="running"]').waitFor();
    await berth.stop();
    const banner = page.getByRole('alert').filter({ hasText: 'not answering' });
    await banner.waitFor({ timeout: 30_000 });
    // a few more polls and stream retries: still one message
    await page.waitForTimeout(5000);
    expect(await banner.count()).toBe(1);
    expect(await page.locator('main .notice-error').count()).toBe(1);
    expect(await page.getByText(/could not be reached/).count()).toBe(0);
    expect(await card('pair').locator('.badges[data-stale]').count()).toBe(1);
    // berth stopped its instances as it shut down (BERTH_SHUTDOWN=stop): Start is what the card offers
    const buttons = card('pair').getByRole('button');
    expect(await buttons.count()).toBeGreaterThan(0);
    for (const b of await buttons.all()) expect(await b.isDisabled()).toBe(true);
    await shot('round2-server-down');
  });
});
