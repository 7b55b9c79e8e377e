// Scenario 10: start-up for a newcomer (issue 20 §5). In a fresh clone of this repository's HEAD
// (a temporary folder): `npm install --prefer-offline`, then `npm start` until GET /api/v1/health
// answers, then `npm start` again with nothing changed (the target: ≤ 3 s). Each `npm start` runs
// in its own process group with a temporary BERTH_HOME, the API on 15931 and the proxy on 15932,
// and is ended by its group once health answered.
//
// `--prefer-offline` takes packages from npm's cache (~/.npm/_cacache) when it holds them, so the
// install figure is a machine that installed berth before, not a first download; native modules
// (better-sqlite3, ssh2's cpu-features) still build or fetch their prebuilt binaries.
// Not in `bench:smoke`: an install takes minutes. `node bench/run.mjs --only=newcomer`.
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  httpGet,
  log,
  now,
  onCleanup,
  ROOT,
  signal,
  sleep,
  summary,
  tempDir,
  terminate,
} from '../lib/common.mjs';

const run = promisify(execFile);
const API_PORT = 15931;
const PROXY_PORT = 15932;

/** The environment of a newcomer's shell: this one without what npm put there for the bench itself. */
function shellEnv(home) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  return {
    ...env,
    BERTH_HOME: home,
    BERTH_PORT: String(API_PORT),
    BERTH_PROXY_PORT: String(PROXY_PORT),
    BERTH_ADMIN_TOKEN: 'bench-admin-token',
    BERTH_LOG_FORMAT: 'json',
  };
}

/**
 * CPU time (user + system, ms) of every process in the group so far, with that of the children
 * they already waited for (tsc, the web check): the work `npm start` did, whatever else ran.
 */
async function groupCpuMs(pgid) {
  let ticks = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) !== pgid) continue;
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {}
  }
  return ticks * 10; // 100 ticks a second
}

/**
 * `npm start` in `repo` until /api/v1/health answers 200: { ms, buildMs (until the web check's
 * line: tsc -b and the check done), cpuMs, output }; the server is stopped after.
 */
async function npmStart(repo, home) {
  const t = now();
  const child = spawn('npm', ['start'], { cwd: repo, env: shellEnv(home), detached: true, stdio: 'pipe' });
  let output = '';
  let buildMs;
  child.stdout.on('data', (d) => {
    output += d;
    if (buildMs === undefined && output.includes('web UI:')) buildMs = now() - t;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = () => terminate(child.pid, 5000, true);
  const forget = onCleanup(stop);
  let ms;
  let cpuMs;
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`npm start exited (${child.exitCode}):\n${output.slice(-2000)}`);
      try {
        if ((await httpGet(API_PORT, '/api/v1/health', {}, 1000)).status === 200) break;
      } catch {}
      if (now() - t > 10 * 60_000)
        throw new Error(`npm start did not serve within 10 min:\n${output.slice(-2000)}`);
      await sleep(20);
    }
    ms = now() - t;
    cpuMs = await groupCpuMs(child.pid);
  } finally {
    await stop();
    signal(-child.pid, 'SIGKILL');
    await exited;
    forget();
  }
  return { ms, buildMs, cpuMs, output };
}

export async function newcomer({ restarts = 3 } = {}) {
  const root = await tempDir('newcomer');
  const repo = join(root, 'berth');
  const { stdout: commit } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT });
  await run('git', ['clone', '--quiet', '--no-hardlinks', ROOT, repo]);
  log(`newcomer: cloned ${commit.trim()} into ${repo}`);

  const t = now();
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: repo,
    env: shellEnv(join(root, 'home')),
    maxBuffer: 64 * 1024 * 1024,
  });
  const installMs = now() - t;
  log(`newcomer: npm install ${Math.round(installMs)} ms`);

  const home = join(root, 'home');
  const first = await npmStart(repo, home);
  log(`newcomer: first npm start → health ${Math.round(first.ms)} ms`);
  const again = [];
  const builds = [];
  const cpu = [];
  let rebuiltWeb = 0;
  for (let i = 0; i < restarts; i++) {
    const s = await npmStart(repo, home);
    again.push(s.ms);
    builds.push(s.buildMs ?? Number.NaN);
    cpu.push(s.cpuMs);
    if (!s.output.includes('web UI: up to date')) rebuiltWeb++;
    log(
      `newcomer: npm start again → health ${Math.round(s.ms)} ms (builds checked after ${Math.round(s.buildMs)} ms; ${s.cpuMs} ms of CPU)`,
    );
  }
  const againSummary = summary(again);
  const info = (metric, ms, notes = []) => ({
    scenario: 'newcomer (fresh clone)',
    metric,
    unit: 'ms',
    berth: summary([ms]),
    target: null,
    pass: null,
    measured: `${(ms / 1000).toFixed(1)} s`,
    notes,
  });
  return [
    info('npm install --prefer-offline', installMs, [
      `commit ${commit.trim()}; packages from npm's cache where it had them (a machine that installed before), native modules built or fetched`,
    ]),
    info('first npm start → /api/v1/health 200', first.ms, [
      `tsc -b of every package and the web UI built from nothing (done after ${(first.buildMs / 1000).toFixed(1)} s); ${(first.cpuMs / 1000).toFixed(1)} s of CPU`,
    ]),
    {
      scenario: 'newcomer (fresh clone)',
      metric: 'npm start again, nothing changed → /api/v1/health 200',
      unit: 'ms',
      berth: againSummary,
      target: '≤ 3 s',
      pass: againSummary.max <= 3000 && rebuiltWeb === 0,
      measured: `${(againSummary.median / 1000).toFixed(2)} s median, ${(againSummary.max / 1000).toFixed(2)} s worst`,
      notes: [
        `${again.length} starts after the first; the web UI was rebuilt in ${rebuiltWeb} of them (it must be 0)`,
        `until the builds were checked (npm, tsc -b, the web check): median ${summary(builds).median} ms; then berth serve → health`,
        `CPU time of the whole process tree until health: median ${summary(cpu).median} ms (what the start costs whatever else runs; on a quiet machine the wall time is about this, plus the wait for the Docker engine's answer)`,
      ],
    },
  ];
}
