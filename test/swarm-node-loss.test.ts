import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  apiGet,
  assertChromium,
  CHROMIUM,
  CHROMIUM_ARGS,
  type RunningBerth,
  signIn,
  startBerth,
} from '../apps/web/test/berth-harness.js';
import { BUSYBOX } from '../packages/runtime-docker/test/docker-fixture.js';
import {
  holdSwarm,
  joinOwnWorker,
  type OwnWorker,
  swarmBlocker,
  type TestSwarm,
} from '../packages/runtime-docker/test/swarm-fixture.js';
import { freePortPair, PORT_BLOCKS } from './port-blocks.js';

/**
 * Issue 13 §3, node loss, through berth itself: a real `berth serve` with the local swarm's manager
 * added as a `kind: swarm` node, an instance of 2 replicas on the manager and a worker of this
 * test's own; the worker's engine is killed. The API, `berth ps` / `berth events` and the UI's card
 * show the instance degraded (running 1/2) with an event naming the lost node, then recovered
 * (2/2) once Swarm has rescheduled the replica on the manager.
 */
const MAIN = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const [FIRST, LAST] = PORT_BLOCKS['test/swarm-node-loss (API, proxy; the harness template +10…+59)'];
// The worker's network namespace: 100.64.140–149, which no other test picks (see scripts/swarm.sh).
const NS = `sl${process.pid % 100000}`;
const N = 140 + (process.pid % 10);
/** Swarm waits this long before it replaces a lost task: the degraded state lasts long enough to see everywhere. */
const RESCHEDULE_DELAY_S = 30;
const LOSSY = {
  name: 'lossy',
  // No published port: a host-mode port allows one replica per node, and here the replica lost
  // has only the manager, which runs the other one, to go to.
  source: { kind: 'image', image: BUSYBOX, command: ['sleep', '3600'] },
  replicas: 2,
  stopTimeoutSeconds: 1,
  restart: { policy: 'always', backoffSeconds: RESCHEDULE_DELAY_S },
};

const { manager } = await swarmBlocker();

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Loose = any;
type Replicas = {
  desired: number;
  running: number;
  items: { node: string | null; state: string; reason: string | null }[];
};
type View = { name: string; status: string; node: string; replicas: Replicas };
type Event = { type: string; message: string; data: Loose; instanceName: string | null };

/** Polls `read` until `ok` holds; the last value read (the assertion after it says what was wrong). */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    last = await read();
  }
  return last;
}

describe.skipIf(!manager)('a swarm worker lost, seen through berth (API, CLI, UI)', () => {
  let swarm: TestSwarm | undefined;
  let worker: OwnWorker | undefined;
  let berth: RunningBerth;
  let browser: Browser | undefined;
  let page: Page;

  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, BERTH_URL: berth.url, BERTH_TOKEN: berth.token };
      execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const lossy = () => apiGet<View>(berth, '/instances/lossy');
  const events = () => apiGet<Event[]>(berth, '/events?instance=lossy&limit=200');
  /** The name berth gives the lost node ends with its id's first 12 characters (hostnames repeat here). */
  const namesLost = (s: string | null | undefined) => (s ?? '').includes(worker!.nodeId.slice(0, 12));

  beforeAll(async () => {
    assertChromium();
    swarm = await holdSwarm(manager!);
    worker = await joinOwnWorker(manager!, NS, N);
    berth = await startBerth(await freePortPair(FIRST, LAST - 60));
    const node = await apiCall(berth, 'POST', '/nodes', {
      name: 'swarm-l',
      kind: 'swarm',
      config: { endpoint: 'unix:///var/run/docker.sock', constraints: [worker.constraint] },
    });
    expect(node.status, JSON.stringify(node.body)).toBe(201);
    expect((await apiCall(berth, 'POST', '/templates', LOSSY)).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.setDefaultTimeout(120_000);
    await signIn(page, berth);
  }, 300_000);

  afterAll(async () => {
    try {
      await browser?.close();
      if (berth) {
        await apiCall(berth, 'DELETE', '/instances/lossy').catch(() => {});
        await berth.stop();
      }
      await worker?.remove();
    } finally {
      await swarm?.release();
    }
  }, 240_000);

  it('shows running 1/2 with the lost node named, then running 2/2 once Swarm rescheduled the replica', async () => {
    const created = await apiCall(berth, 'POST', '/instances?wait=1', {
      template: 'lossy',
      name: 'lossy',
      node: 'swarm-l',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const up = await eventually(lossy, (i) => i.status === 'running' && i.replicas.running === 2, 120_000);
    expect([up.status, up.replicas.desired, up.replicas.running]).toEqual(['running', 2, 2]);
    // one replica on this test's worker, one on the manager
    expect(up.replicas.items.filter((r) => namesLost(r.node))).toHaveLength(1);
    await page.goto(`${berth.url}/#/instances`);
    const card = page.locator('article[data-instance="lossy"]');
    await card.locator('[data-replicas="2/2"]').waitFor();

    worker!.kill();

    // Each view on its own, at once: Swarm holds the replica lost for RESCHEDULE_DELAY_S.
    const [api, ps, ui] = await Promise.all([
      eventually(lossy, (i) => i.replicas.running === 1, 90_000),
      eventually(
        () => cli('ps'),
        (r) => /\blossy\b.*\brunning 1\/2\b/.test(r.stdout),
        90_000,
      ),
      card
        .locator('[data-replicas="1/2"].degraded')
        .waitFor({ timeout: 90_000 })
        .then(() => card.locator('[data-status]').textContent()),
    ]);
    expect([api.status, api.replicas.desired, api.replicas.running]).toEqual(['running', 2, 1]);
    const lost = api.replicas.items.filter((r) => r.state !== 'running');
    expect(lost, JSON.stringify(api.replicas)).toHaveLength(1);
    // the replica lost stays on its node, node-down, until its replacement runs elsewhere
    expect(lost[0]!.state, JSON.stringify(api.replicas)).toBe('node-down');
    expect(namesLost(lost[0]!.node)).toBe(true);
    expect(lost[0]!.reason).toMatch(/^node \S+ is down; Swarm reschedules its replica/);
    expect(namesLost(lost[0]!.reason)).toBe(true);
    expect(ps.stdout).toMatch(/\blossy\s+lossy\s+running 1\/2\b/);
    expect(ui).toBe('running');

    // the events say the instance runs 1 of 2 and which node was lost
    const degraded = await eventually(
      events,
      (es) => es.some((e) => e.type === 'instance.replicas' && /^running 1\/2/.test(e.message)),
      30_000,
    );
    const down = degraded.find((e) => e.type === 'instance.replicas' && /^running 1\/2/.test(e.message))!;
    expect(namesLost(down.message), down.message).toBe(true);
    expect(down.data).toMatchObject({ from: 2, to: 1 });
    const replicaLost = degraded.filter((e) => e.type === 'instance.replica' && namesLost(e.data.lostNode));
    expect(replicaLost, JSON.stringify(degraded.map((e) => e.message))).toHaveLength(1);
    expect(replicaLost[0]!.message).toMatch(/^replica \d+ on \S+: running → node-down \(node \S+ lost; /);
    expect(namesLost(replicaLost[0]!.data.node)).toBe(true);

    // Swarm starts the replica again on the manager: 2/2, told as a recovery
    const back = await eventually(lossy, (i) => i.replicas.running === 2, 120_000);
    expect([back.status, back.replicas.running]).toEqual(['running', 2]);
    expect(back.replicas.items.some((r) => namesLost(r.node))).toBe(false);
    await card.locator('[data-replicas="2/2"]').waitFor();
    const ps2 = await cli('ps', '--json');
    const row = (JSON.parse(ps2.stdout) as View[]).find((i) => i.name === 'lossy')!;
    expect([row.status, row.replicas.running, row.replicas.desired]).toEqual(['running', 2, 2]);
    const told = await cli('events', 'lossy', '--json', '-n', '200');
    expect(told.code, told.stderr).toBe(0);
    const all = JSON.parse(told.stdout) as Event[];
    const recovered = all.filter((e) => e.type === 'instance.replicas' && /^running 2\/2/.test(e.message));
    expect(recovered.length, JSON.stringify(all.map((e) => e.message))).toBeGreaterThanOrEqual(1);
    expect(recovered.at(-1)!.data).toMatchObject({ from: 1, to: 2 });
    expect(all.some((e) => e.type === 'instance.replicas' && namesLost(e.message))).toBe(true);
    const rescheduled = all.filter(
      (e) => e.type === 'instance.replica' && e.data.from === 'node-down' && e.data.to === 'running',
    );
    expect(rescheduled, JSON.stringify(all.map((e) => e.message))).toHaveLength(1);
    expect(namesLost(rescheduled[0]!.data.node)).toBe(false);
  }, 420_000);
});
