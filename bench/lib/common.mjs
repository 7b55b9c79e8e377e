// Shared helpers for the benchmark scenarios: timing, statistics, HTTP probes, /proc readers and a
// cleanup registry that ends only what the bench itself started, by pid.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TOKEN = 'bench-admin-token';
export const now = () => performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function log(...args) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${args.join(' ')}\n`);
}

// ---------- statistics ----------

export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summary(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    samples: samples.map(round),
    n: s.length,
    median: round(quantile(s, 0.5)),
    min: round(s[0] ?? Number.NaN),
    max: round(s[s.length - 1] ?? Number.NaN),
    p99: round(quantile(s, 0.99)),
  };
}

export function round(x, digits = 2) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ---------- temp dirs ----------

const tempDirs = [];
export async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), `berth-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

// ---------- cleanup: by pid only ----------

const cleanups = [];
/** Registers an async cleanup; run in reverse order by runCleanups (also on SIGINT/SIGTERM). */
export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

let cleaning;
/**
 * One run at a time: a SIGTERM arriving while a scenario's own `finally` cleans up joins that run
 * rather than racing it, so the handler's `process.exit` cannot cut a cleanup short (a killed
 * 10,000-instance run once left 1,261 of its programs running that way).
 */
export function runCleanups() {
  cleaning ??= cleanAll().finally(() => {
    cleaning = undefined;
  });
  return cleaning;
}

async function cleanAll() {
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (err) {
      log(`cleanup failed: ${err?.message ?? err}`);
    }
  }
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true }).catch(() => {});
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals a process group (negative pid) or a pid; ignores ones already gone. */
export function signal(pid, sig = 'SIGTERM') {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the pid is gone (or a zombie). */
export async function terminate(pid, graceMs = 3000, group = false) {
  const target = group ? -pid : pid;
  if (!signal(target, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive(pid) || (await isZombie(pid))) return;
    await sleep(20);
  }
  signal(target, 'SIGKILL');
}

async function isZombie(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/**
 * Processes whose initial environment has BERTH_LOG_DIR under `home`: what a berth with that
 * BERTH_HOME started. Used to clean up after a scenario even if berth itself failed to.
 */
export async function processesStartedUnder(home) {
  const out = [];
  const needle = Buffer.from(`BERTH_LOG_DIR=${home}/`);
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = await readFile(`/proc/${name}/environ`);
      if (env.includes(needle)) out.push(Number(name));
    } catch {}
  }
  return out;
}

export async function killStartedUnder(home) {
  const pids = await processesStartedUnder(home);
  for (const pid of pids) signal(-pid, 'SIGKILL') || signal(pid, 'SIGKILL');
  return pids.length;
}

// ---------- /proc readers ----------

const CLK_TCK = 100;
/** utime+stime of a process, in ms of CPU. */
export async function cpuMs(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/** Resident set size in bytes. */
export async function rssBytes(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

// ---------- HTTP ----------

/** One GET with a fresh connection; resolves with { status, body }. */
export function httpGet(port, path = '/', headers = {}, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls until GET / on the port answers 200: the answer check both sides take once their
 * readiness wait is over (berth's `?wait=1`, a baseline's `berthReadiness`), so on both it
 * normally answers at the first try. Retries every 2 ms. Never a baseline's readiness wait on its
 * own: polling every 2 ms from the bench eats the CPU of the programs starting on the same cores.
 */
export async function waitHttp200(port, timeoutMs = 30_000, headers = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await httpGet(port, '/', headers, 1000);
      if (r.status === 200) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`port ${port} did not answer 200 within ${timeoutMs} ms`);
    await sleep(2);
  }
}

/**
 * A baseline's readiness wait, `(port) => Promise`, the same as berth's for a process instance
 * whose template names no readiness (the first tcp port accepting connections, see core's
 * `readinessFor`): berth's own `waitReady` of @berth/runtime-process — the same probe (a connect
 * that refuses to count a connection to itself) at the same pace (`paceByWaited`). A baseline that
 * polls harder or softer than berth measures its poller, not the program (issue 20 §1). Loaded
 * here, before any timing: the package's first import takes longer than a busybox start.
 */
export async function berthReadiness(timeoutMs = 30_000) {
  const { waitReady } = await import('@berth/runtime-process');
  return (port) =>
    waitReady(
      { readiness: { kind: 'port', port }, ports: [{ protocol: 'tcp', hostPort: port }] },
      { signal: new AbortController().signal, timeoutMs, logOffsets: { stdout: 0, stderr: 0 } },
    );
}

/**
 * `(env) => environment`: what berth gives a program it starts (runtime-process's `workloadEnv`:
 * a few names inherited from its own environment, then the template's `env`), without berth's
 * `BERTH_*` markers. A baseline that spawns the same program must spawn it in this environment, not
 * the bench's: on this machine the bench's holds NODE_EXTRA_CA_CERTS (a 220 KB bundle), which every
 * node 20 program reads and parses at start-up, ~40 ms of CPU each, and berth does not pass on.
 */
export async function berthProgramEnv() {
  const { workloadEnv, MARKERS } = await import('@berth/runtime-process');
  const markers = new Set(Object.values(MARKERS));
  const spec = { owner: '', instanceId: '', instanceName: '', template: '', logDir: '', ports: [] };
  return (env) =>
    Object.fromEntries(Object.entries(workloadEnv({ ...spec, env })).filter(([name]) => !markers.has(name)));
}

/** A process's initial environment (/proc/<pid>/environ) as name → value. */
export async function environOf(pid) {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(
    raw
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

// ---------- programs ----------

export const BUSYBOX = '/bin/busybox';

/** A spawned program we own; killed by pid (its own process group) on cleanup. */
export function spawnOwned(command, args, opts = {}) {
  const child = spawn(command, args, { stdio: 'ignore', detached: true, ...opts });
  const pid = child.pid;
  const exited = new Promise((r) => child.once('exit', r));
  child.once('error', () => {});
  const off = onCleanup(async () => {
    if (pid) await terminate(pid, 2000, true);
  });
  return {
    child,
    pid,
    exited,
    async kill(sig = 'SIGKILL') {
      off();
      if (pid && child.exitCode === null && child.signalCode === null) {
        signal(-pid, sig) || signal(pid, sig);
        await Promise.race([exited, sleep(5000)]);
      }
    },
  };
}

export const NODE_HTTP_SERVER =
  "require('http').createServer((q,s)=>s.end('ok')).listen(+process.env.PORT,'127.0.0.1')";

/** Runs a command to completion; resolves with { code, stdout, stderr }. */
export function run(command, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `fn` over items with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

/**
 * `count` ports from `from` upward with no TCP socket on them in any state (listener, connection,
 * TIME-WAIT): a baseline must not trip over a client's ephemeral port in TIME-WAIT any more than
 * berth (whose ledger avoids them) does.
 */
export async function quietPorts(from, count, to) {
  const { stdout } = await run('ss', ['-tanH']);
  const busy = new Set();
  for (const line of stdout.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    if (local) busy.add(Number(local.slice(local.lastIndexOf(':') + 1)));
  }
  const out = [];
  for (let p = from; p <= to && out.length < count; p++) if (!busy.has(p)) out.push(p);
  if (out.length < count) throw new Error(`no ${count} quiet ports in ${from}–${to}`);
  return out;
}
