// Scenario 3: 20 node HTTP servers → all answer 200: berth (20 parallel creates) against spawning
// them directly and against PM2 (warm daemon, PM2_HOME in a temp dir, killed after).
// Every side is measured the same way (issue 20 §1), by one external observer (../lib/observer.mjs):
// the clock starts before the side's first spawn request (the first POST /instances, the first
// spawn, pm2.start), the observer gets the ports as soon as the side knows them (the direct and
// PM2 sides before spawning, berth's from its create answers, which come back before it spawns),
// looks at each with a fresh-connection GET / → 200 at berth's pace counted from that start, and
// the clock stops at the last program's first 200. (Handing over the ports only once the spawn
// calls had returned let the observer probe berth's ports through all of berth's spawning and the
// direct side's through none of it.) berth's own readiness wait (it marks an instance running) is berth's work
// and runs inside the timed span; it is not what stops the clock.
// Every side runs the same program in the same environment: the one berth gives its programs
// (`berthProgramEnv`), checked on one program per side every round.
// Why: until 2026-12-05 berth came out faster than a direct spawn (0.65×, then 0.85×). The 0.65×
// was the baselines' probing (all 20 ports with GET every 2 ms from the bench); the 0.85× was the
// environment: the direct and PM2 programs inherited the bench's NODE_EXTRA_CA_CERTS, which every
// node 20 program reads and parses at start-up (~40 ms of CPU each, ×20 on 2 cores), and berth's
// did not (bench/README.md, "node-twenty").
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { berthHome, putTemplate, startBerth, stopBerth } from '../lib/berth.mjs';
import {
  alive,
  berthProgramEnv,
  environOf,
  log,
  NODE_HTTP_SERVER,
  onCleanup,
  processesStartedUnder,
  quietPorts,
  ROOT,
  round,
  signal,
  sleep,
  spawnOwned,
  summary,
  tempDir,
} from '../lib/common.mjs';
import { startObserver } from '../lib/observer.mjs';
import { ratio } from './process-start.mjs';

// Below the kernel's ephemeral range (bench/README.md, "Ports").
const BERTH_RANGE = [15400, 15499];
const DIRECT_RANGE = [15500, 15599];
const PM2_RANGE = [15600, 15699];

/**
 * Variables of the bench's own environment that change how node starts (NODE_EXTRA_CA_CERTS,
 * NODE_OPTIONS, …): a program on any side that carries one carries the bench's start-up cost, so
 * every side's programs must carry the same ones (PM2's own NODE_APP_INSTANCE and NODE_CHANNEL_*
 * are how PM2 runs a program, and count as PM2's).
 */
const LEAKABLE = Object.keys(process.env).filter((k) => /^(NODE_|UV_)/.test(k));

export async function nodeTwenty({ reps, count, warmup }) {
  const programEnv = await berthProgramEnv();
  const observer = await startObserver();
  const home = await berthHome('s3');
  const server = await startBerth(home);
  const pm2 = await startPm2(Object.keys(programEnv({})));
  /** What in each side's program environment changes how node starts (checked every round). */
  const startupEnv = {};
  const noteEnv = async (side, pid) => {
    const env = await environOf(pid);
    const seen = LEAKABLE.filter((k) => k in env).join(',') || 'none';
    if (startupEnv[side] !== undefined && startupEnv[side] !== seen) throw new Error(`${side}: ${seen}`);
    startupEnv[side] = seen;
  };
  try {
    await putTemplate(server, {
      name: 'nodeweb',
      source: { kind: 'command', command: process.execPath, args: ['-e', NODE_HTTP_SERVER] },
      ports: [{ name: 'http', env: 'PORT', preferred: BERTH_RANGE[0], range: BERTH_RANGE }],
      restart: { policy: 'never' },
      stopTimeoutSeconds: 2,
    });
    let roundNo = 0;
    /** berth's marks running after the clock stopped (its own wait lags the observer's by its pace). */
    const runningLag = [];
    // An instance that does not answer: say what berth knows of it.
    const explain = async (inst, err) => {
      const now = await server.api('GET', `/instances/${inst.id}`).catch(() => ({}));
      const events = await server.api('GET', `/events?instance=${inst.id}`).catch(() => ({ events: [] }));
      const lines = (events.events ?? events).map?.((e) => e.message).join(' | ');
      return new Error(
        `${err.message}; ${inst.name} was ${inst.status} at create, now ${now.status} (${now.errorMessage ?? 'no error'}), ports ${JSON.stringify(now.ports)}; events: ${lines}`,
      );
    };
    /** Untimed, after the clock stopped: every instance berth created reaches `running`. */
    const allRunning = async (list, stoppedAt) => {
      for (const inst of list) {
        for (let i = 0; ; i++) {
          const now = await server.api('GET', `/instances/${inst.id}`);
          if (now.status === 'running') break;
          if (i >= 1500 || !['pending', 'deploying'].includes(now.status)) {
            throw await explain(inst, new Error(`${inst.name} is ${now.status}, not running`));
          }
          await sleep(10);
        }
      }
      runningLag.push(Number(process.hrtime.bigint() - stoppedAt) / 1e6);
    };
    const viaBerth = async () => {
      const r = roundNo++;
      const t0 = process.hrtime.bigint();
      const list = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          server.api('POST', '/instances', { template: 'nodeweb', name: `n${r}-${i}` }),
        ),
      );
      const ports = list.map((inst) => inst.ports.http);
      const seen = await observer.watch(ports, t0).catch(async (err) => {
        throw await explain(list[0], err);
      });
      await allRunning(list, t0 + BigInt(Math.round(seen.ms * 1e6)));
      const [pid] = await processesStartedUnder(home);
      if (pid) await noteEnv('berth', pid);
      await Promise.all(list.map((inst) => server.api('POST', `/instances/${inst.id}/kill?wait=1`)));
      await Promise.all(list.map((inst) => server.api('DELETE', `/instances/${inst.id}`)));
      return seen.ms;
    };
    const direct = async () => {
      const ports = await quietPorts(DIRECT_RANGE[0], count, DIRECT_RANGE[1]);
      const t0 = process.hrtime.bigint();
      const answered = observer.watch(ports, t0);
      const procs = ports.map((port) =>
        spawnOwned(process.execPath, ['-e', NODE_HTTP_SERVER], { env: programEnv({ PORT: String(port) }) }),
      );
      const seen = await answered;
      await noteEnv('direct', procs[0].pid);
      await Promise.all(procs.map((p) => p.kill()));
      return seen.ms;
    };
    const underPm2 = async () => {
      const ports = await quietPorts(PM2_RANGE[0], count, PM2_RANGE[1]);
      const t0 = process.hrtime.bigint();
      const answered = observer.watch(ports, t0);
      await pm2.start(
        ports.map((port) => ({
          name: `web-${port}`,
          script: process.execPath,
          args: ['-e', NODE_HTTP_SERVER],
          interpreter: 'none',
          // PM2 adds the environment it was called from (see startPm2) to this.
          env: programEnv({ PORT: String(port) }),
          autorestart: false,
        })),
      );
      const seen = await answered;
      const [pid] = await pm2.pids();
      if (pid) await noteEnv('PM2', pid);
      await pm2.deleteAll();
      return seen.ms;
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
    const sides = Object.keys(startupEnv);
    if (new Set(sides.map((s) => startupEnv[s])).size > 1) {
      throw new Error(`the programs started in different environments: ${JSON.stringify(startupEnv)}`);
    }
    const b = summary(samples.berth);
    const d = summary(samples.direct);
    const p = summary(samples.pm2);
    const lag = summary(runningLag);
    log(`20 node: berth ${b.median} ms, direct ${d.median} ms, pm2 ${p.median} ms`);
    return [
      {
        scenario: `${count} node HTTP instances`,
        metric: 'all answer HTTP 200 (one observer)',
        unit: 'ms',
        berth: b,
        baselines: { 'direct spawn': d, 'PM2 (warm daemon)': p },
        ratio: { 'direct spawn': ratio(b.median, d.median), PM2: ratio(b.median, p.median) },
        raw: ['direct spawn'],
        measured: `${ratio(b.median, d.median)}× direct, ${ratio(b.median, p.median)}× PM2`,
        target: '≤ 1.10× direct, ahead of PM2',
        pass: b.median <= d.median * 1.1 && b.median < p.median,
        notes: [
          `PM2 daemon RSS after the runs: ${await pm2.rssMb()} MB`,
          `node start-up variables (NODE_*, UV_) in every side's programs: ${sides.map((s) => startupEnv[s]).at(0) ?? 'not read'}`,
          `berth had marked all ${count} running within ${round(lag.median, 0)} ms (median; max ${round(lag.max, 0)}) of the last answer, read one by one over the API after the clock stopped`,
        ],
      },
    ];
  } finally {
    await pm2.stop();
    await stopBerth(server);
    await observer.stop();
  }
}

/**
 * PM2's programmatic API with its own PM2_HOME; its daemon is killed (by pid) at the end. PM2 puts
 * the environment of the process that calls it (the bench, then its daemon) into every program it
 * starts, `filter_env: true` or not (PM2 6.0.14: 86 variables, NODE_EXTRA_CA_CERTS among them), so
 * the bench's node start-up variables that berth does not pass on (`LEAKABLE` less `keep`) are
 * taken out of the bench's environment while PM2 runs, and put back after.
 */
async function startPm2(keep) {
  const pm2Home = await tempDir('pm2');
  process.env.PM2_HOME = pm2Home;
  const withheld = Object.fromEntries(
    LEAKABLE.filter((k) => !keep.includes(k)).map((k) => [k, process.env[k]]),
  );
  for (const k of Object.keys(withheld)) delete process.env[k];
  const restore = () => Object.assign(process.env, withheld);
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
    restore();
  };
  onCleanup(stop);
  await call(pm2.connect);
  await call(pm2.list); // the daemon is up and warm
  return {
    start: (apps) => call(pm2.start, { apps }),
    deleteAll: () => call(pm2.delete, 'all'),
    pids: async () => (await call(pm2.list)).map((p) => p.pid).filter(Boolean),
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
