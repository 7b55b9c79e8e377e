// Starting, talking to and stopping a berth server in a child process.
import { fork } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killStartedUnder, log, onCleanup, quietPorts, signal, sleep, TOKEN, tempDir } from './common.mjs';

/**
 * The server the bench forks. BENCH_BERTH_SERVER names another checkout's
 * `bench/lib/berth-server.mjs` (built), so one harness measures two commits of berth, e.g. before
 * and after a change, with the same scenarios and baselines.
 */
const ENTRY = process.env.BENCH_BERTH_SERVER ?? fileURLToPath(new URL('./berth-server.mjs', import.meta.url));

/**
 * The bench's berth servers take their API and proxy ports from 15901–15909, the first two with no
 * socket on them: two bench runs on one machine (engineers measuring different things) each get
 * their own; see bench/README.md, "Ports".
 */
const SERVER_PORTS = [15901, 15909];

/** A fresh BERTH_HOME; on cleanup, anything still running that a berth there started is killed. */
export async function berthHome(prefix) {
  const home = await tempDir(prefix);
  await mkdir(join(home, 'templates'), { recursive: true });
  onCleanup(async () => {
    const n = await killStartedUnder(home);
    if (n > 0) log(`cleanup: killed ${n} leftover process(es) started under ${home}`);
  });
  return home;
}

/**
 * Forks the bench's berth server on `home` and resolves once it listens. `shutdown: 'stop'` makes
 * SIGTERM stop every instance first; 'leave' (the default) leaves them running.
 */
export async function startBerth(home, opts = {}) {
  const [apiPort, proxyPort] = opts.apiPort
    ? [opts.apiPort, opts.proxyPort]
    : await quietPorts(SERVER_PORTS[0], 2, SERVER_PORTS[1]);
  const logFile = join(home, `server-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  const spawnedAt = performance.now();
  const child = fork(ENTRY, [], {
    cwd: home,
    stdio: ['ignore', fd, fd, 'ipc'],
    execArgv: opts.execArgv ?? [],
    env: {
      ...process.env,
      BERTH_HOME: home,
      BERTH_ADMIN_TOKEN: TOKEN,
      BERTH_PORT: String(apiPort),
      BERTH_PROXY_PORT: String(proxyPort),
      BERTH_SHUTDOWN: opts.shutdown ?? 'stop',
      BERTH_LOG_LEVEL: opts.logLevel ?? 'info',
      BERTH_TEMPLATES: join(home, 'templates'),
      ...opts.env,
    },
  });
  const exited = new Promise((r) => child.once('exit', (code, sig) => r({ code, sig })));
  const off = onCleanup(() => stopBerth(server, 20_000));
  const listeners = new Set();
  child.on('message', (m) => {
    for (const l of listeners) l(m);
  });
  const ready = await new Promise((resolve, reject) => {
    const l = (m) => {
      if (m.type === 'ready') {
        listeners.delete(l);
        resolve(m);
      }
    };
    listeners.add(l);
    exited.then(async ({ code, sig }) =>
      reject(new Error(`berth exited (${code ?? sig}) before it listened; log:\n${await tail(logFile)}`)),
    );
  });
  const server = {
    pid: child.pid,
    child,
    home,
    logFile,
    exited,
    off,
    spawnedAt,
    readyAt: performance.now(),
    apiPort: ready.apiPort,
    proxyPort: ready.proxyPort,
    owner: ready.owner,
    startupMs: ready.startupMs,
    samplerBuiltIn: ready.samplerBuiltIn,
    api: (method, path, body) => api(ready.apiPort, method, path, body),
    /** Sends an IPC message and waits for the reply of the same type. */
    ask(msg, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${msg.type}`)), timeoutMs);
        const l = (m) => {
          if (m.type === msg.type || m.type === 'error') {
            listeners.delete(l);
            clearTimeout(timer);
            if (m.type === 'error') reject(new Error(m.message));
            else resolve(m);
          }
        };
        listeners.add(l);
        child.send(msg);
      });
    },
  };
  return server;
}

/** SIGTERM (the server's shutdown policy applies), SIGKILL after `graceMs`. */
export async function stopBerth(server, graceMs = 20_000) {
  server.off();
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  signal(server.pid, 'SIGTERM');
  const done = await Promise.race([server.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    log(`berth ${server.pid} did not exit within ${graceMs} ms; killing it`);
    signal(server.pid, 'SIGKILL');
    await server.exited;
  }
}

/** SIGKILL: the server dies, the instances it started keep running (they are in their own sessions). */
export async function crashBerth(server) {
  server.off();
  signal(server.pid, 'SIGKILL');
  await server.exited;
}

async function tail(file, lines = 30) {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** One API call with the admin token; resolves with the parsed body, rejects on a non-2xx answer. */
export function api(port, method, path, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: `/api/v1${path}`,
        // No keep-alive: an idle client connection holds an ephemeral port, and the ephemeral range
        // (32768–60999 here) covers the ports berth leases (see README, "ephemeral ports").
        agent: false,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const parsed = text ? safeJson(text) : undefined;
          if (res.statusCode >= 200 && res.statusCode < 300) resolve(parsed);
          else {
            const err = new Error(`${method} ${path} → ${res.statusCode}: ${text.slice(0, 500)}`);
            err.status = res.statusCode;
            err.body = parsed;
            reject(err);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Creates (or replaces) a template through the API. */
export async function putTemplate(server, template) {
  try {
    await server.api('POST', '/templates', template);
  } catch (err) {
    if (err.status !== 409) throw err;
    await server.api('PUT', `/templates/${template.name}`, template);
  }
}

/** Waits until `pred(list)` holds for GET /instances; returns the list. */
export async function waitInstances(server, pred, timeoutMs = 120_000, query = '') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await server.api('GET', `/instances${query}`);
    if (pred(list)) return list;
    const failed = list.filter((i) => i.status === 'error' && i.nextRetryAt === null);
    if (Date.now() > deadline || failed.length > 0) {
      const counts = {};
      for (const i of list) counts[i.status] = (counts[i.status] ?? 0) + 1;
      const why = failed.slice(0, 3).map((i) => `${i.name}: ${i.errorMessage}`);
      throw new Error(
        `instances did not settle: ${JSON.stringify(counts)}${why.length ? `; ${why.join('; ')}` : ''}`,
      );
    }
    // A list of thousands is megabytes of JSON to build and parse: ask less often.
    await sleep(list.length > 2000 ? 1000 : 100);
  }
}

/** A busybox httpd template: the tiny native HTTP server of the process scenarios. */
export function busyboxTemplate(name, www, range) {
  return {
    name,
    source: {
      kind: 'command',
      command: '/bin/busybox',
      args: ['httpd', '-f', '-p', '127.0.0.1:${PORT}', '-h', www],
    },
    ports: [{ name: 'http', env: 'PORT', preferred: range[0], range }],
    restart: { policy: 'never' },
    stopTimeoutSeconds: 2,
  };
}
