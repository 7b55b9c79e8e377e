// Scenario 3: 20 node HTTP servers → all answer 200: berth (20 parallel creates with ?wait=1)
// against spawning them directly and against PM2 (warm daemon, PM2_HOME in a temp dir, killed after).
// Every side waits for readiness as berth does: berth inside `?wait=1`, the direct spawns and PM2's
// programs with berth's own wait (`readyLikeBerth`: its port probe at its pace, one per program);
// then every side takes the bench's GET / → 200 once per program. (Until issue 20 the baselines
// polled all 20 ports with GET every 2 ms from the bench, and the polling ate the CPU the 20
// starting programs needed: berth came out at 0.65× a direct spawn.)
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { berthHome, putTemplate, startBerth, stopBerth } from '../lib/berth.mjs';
import {
  alive,
  berthReadiness,
  log,
  NODE_HTTP_SERVER,
  now,
  onCleanup,
  quietPorts,
  ROOT,
  signal,
  sleep,
  spawnOwned,
  summary,
  tempDir,
  waitHttp200,
} from '../lib/common.mjs';
import { ratio } from './process-start.mjs';

// Below the kernel's ephemeral range (bench/README.md, "Ports").
const BERTH_RANGE = [15400, 15499];
const DIRECT_RANGE = [15500, 15599];
const PM2_RANGE = [15600, 15699];

export async function nodeTwenty({ reps, count, warmup }) {
  const readyLikeBerth = await berthReadiness();
  /** Waits for each port as berth waits for an instance, then takes the answer check. */
  const allReady = (ports) =>
    Promise.all(ports.map((port) => readyLikeBerth(port).then(() => waitHttp200(port))));
  const home = await berthHome('s3');
  const server = await startBerth(home);
  const pm2 = await startPm2();
  try {
    await putTemplate(server, {
      name: 'nodeweb',
      source: { kind: 'command', command: process.execPath, args: ['-e', NODE_HTTP_SERVER] },
      ports: [{ name: 'http', env: 'PORT', preferred: BERTH_RANGE[0], range: BERTH_RANGE }],
      restart: { policy: 'never' },
      stopTimeoutSeconds: 2,
    });
    let round = 0;
    // An instance berth called ready that does not answer: say what berth knows of it.
    const explain = async (inst, err) => {
      const now = await server.api('GET', `/instances/${inst.id}`).catch(() => ({}));
      const events = await server.api('GET', `/events?instance=${inst.id}`).catch(() => ({ events: [] }));
      const lines = (events.events ?? events).map?.((e) => e.message).join(' | ');
      throw new Error(
        `${err.message}; ${inst.name} was ${inst.status} at create, now ${now.status} (${now.errorMessage ?? 'no error'}), ports ${JSON.stringify(now.ports)}; events: ${lines}`,
      );
    };
    const viaBerth = async () => {
      const r = round++;
      const t = now();
      const list = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          server.api('POST', '/instances?wait=1', { template: 'nodeweb', name: `n${r}-${i}` }),
        ),
      );
      await Promise.all(list.map((inst) => waitHttp200(inst.ports.http).catch((err) => explain(inst, err))));
      const ms = now() - t;
      await Promise.all(list.map((inst) => server.api('POST', `/instances/${inst.id}/kill?wait=1`)));
      await Promise.all(list.map((inst) => server.api('DELETE', `/instances/${inst.id}`)));
      return ms;
    };
    const direct = async () => {
      const ports = await quietPorts(DIRECT_RANGE[0], count, DIRECT_RANGE[1]);
      const t = now();
      const procs = ports.map((port) =>
        spawnOwned(process.execPath, ['-e', NODE_HTTP_SERVER], {
          env: { ...process.env, PORT: String(port) },
        }),
      );
      await allReady(ports);
      const ms = now() - t;
      await Promise.all(procs.map((p) => p.kill()));
      return ms;
    };
    const underPm2 = async () => {
      const ports = await quietPorts(PM2_RANGE[0], count, PM2_RANGE[1]);
      const t = now();
      await pm2.start(
        ports.map((port) => ({
          name: `web-${port}`,
          script: process.execPath,
          args: ['-e', NODE_HTTP_SERVER],
          interpreter: 'none',
          env: { PORT: String(port) },
          autorestart: false,
        })),
      );
      await allReady(ports);
      const ms = now() - t;
      await pm2.deleteAll();
      return ms;
    };

    for (let i = 0; i < warmup; i++) {
      await viaBerth();
      await direct();
      await underPm2();
    }
    const samples = { berth: [], direct: [], pm2: [] };
    const runners = { berth: viaBerth, direct, pm2: underPm2 };
    const orders = [
      ['berth', 'direct', 'pm2'],
      ['direct', 'pm2', 'berth'],
      ['pm2', 'berth', 'direct'],
    ];
    for (let i = 0; i < reps; i++) {
      for (const k of orders[i % orders.length]) samples[k].push(await runners[k]());
    }
    const b = summary(samples.berth);
    const d = summary(samples.direct);
    const p = summary(samples.pm2);
    log(`20 node: berth ${b.median} ms, direct ${d.median} ms, pm2 ${p.median} ms`);
    return [
      {
        scenario: `${count} node HTTP instances`,
        metric: 'all answer HTTP 200',
        unit: 'ms',
        berth: b,
        baselines: { 'direct spawn': d, 'PM2 (warm daemon)': p },
        ratio: { 'direct spawn': ratio(b.median, d.median), PM2: ratio(b.median, p.median) },
        raw: ['direct spawn'],
        measured: `${ratio(b.median, d.median)}× direct`,
        target: '≤ 1.15× direct',
        pass: b.median <= d.median * 1.15,
        notes: [`PM2 daemon RSS after the runs: ${await pm2.rssMb()} MB`],
      },
    ];
  } finally {
    await pm2.stop();
    await stopBerth(server);
  }
}

/** PM2's programmatic API with its own PM2_HOME; its daemon is killed (by pid) at the end. */
async function startPm2() {
  const pm2Home = await tempDir('pm2');
  process.env.PM2_HOME = pm2Home;
  const require = createRequire(join(ROOT, 'package.json'));
  const pm2 = require('pm2');
  const call = (fn, ...a) =>
    new Promise((res, rej) => fn.call(pm2, ...a, (err, out) => (err ? rej(err) : res(out))));
  const daemonPid = async () =>
    Number((await readFile(join(pm2Home, 'pm2.pid'), 'utf8').catch(() => '')).trim()) || 0;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await call(pm2.delete, 'all').catch(() => {});
    const pid = await daemonPid();
    await call(pm2.killDaemon).catch(() => {});
    pm2.disconnect();
    for (let i = 0; pid && alive(pid) && i < 100; i++) await sleep(50);
    if (pid && alive(pid)) signal(pid, 'SIGKILL');
  };
  onCleanup(stop);
  await call(pm2.connect);
  await call(pm2.list); // the daemon is up and warm
  return {
    start: (apps) => call(pm2.start, { apps }),
    deleteAll: () => call(pm2.delete, 'all'),
    stop,
    async rssMb() {
      const pid = await daemonPid();
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      } catch {
        return null;
      }
    },
  };
}
