import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB = join(ROOT, 'apps/web');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with what to do when Debian's Chromium is not installed (CI installs it in .ci/run). */
export function assertChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const where = process.env.CI ? 'CI must install it (.ci/run lists chromium)' : 'install it';
  throw new Error(
    `The web UI tests drive ${CHROMIUM}, which is missing: ${where} with \`apt-get install -y chromium\`.`,
  );
}

/** The template the tests run: a `node -e` HTTP server that logs one line (with ANSI colour) per request. */
export function helloTemplate(from: number, to: number): string {
  const code =
    "let n=0;require('http').createServer((q,s)=>{n++;console.log('\\u001b[32mGET\\u001b[0m '+q.url+' #'+n);" +
    "s.end(process.env.GREETING+'\\n')}).listen(process.env.PORT,()=>console.log('listening on '+process.env.PORT))";
  return [
    'name: hello',
    'description: A tiny HTTP server that greets and logs every request.',
    'source:',
    '  kind: command',
    '  command: node',
    `  args: ["-e", ${JSON.stringify(code)}]`,
    'ports:',
    '  - name: http',
    '    env: PORT',
    `    preferred: ${from}`,
    `    range: [${from}, ${to}]`,
    'config:',
    '  greeting:',
    '    type: string',
    '    default: hello',
    '    env: GREETING',
    '    description: What the server answers.',
    '  mode:',
    '    type: string',
    '    enum: [fast, slow]',
    '    default: fast',
    'health:',
    '  http: { port: http, path: / }',
    'stopTimeoutSeconds: 3',
    '',
  ].join('\n');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

/**
 * A block of 100 ports inside [first, first + 219] where the ports the test names are free now:
 * the API (+0), the proxy (+1) and the pinned ones (+70, +71); berth picks the others in +10…+59.
 * ui.e2e takes 29000–29249 (the default), ui-more.e2e 29250–29499: the two never overlap.
 */
export async function portBlock(first = 29000): Promise<number> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const base = first + Math.floor(Math.random() * 2) * 100 + Math.floor(Math.random() * 3) * 10;
    const probes = await Promise.all([0, 1, 70, 71].map((i) => portFree(base + i)));
    if (probes.every(Boolean)) return base;
  }
  throw new Error(`no free block of ports in ${first}–${first + 219}`);
}

/** True when nothing listens on the port right now (a closed port answers "connection refused"). */
export function isPortFree(port: number): Promise<boolean> {
  return portFree(port);
}

/** Holds a TCP port the way an unrelated program would. */
export function holdPort(port: number): Promise<Server> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(port, '0.0.0.0', () => done(s));
  });
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${cmd} ${args.join(' ')} failed:\n${out}`)),
    );
  });
}

/** Builds the web UI from its sources into `outDir`, so the test serves exactly this code. */
export async function buildWeb(outDir: string): Promise<void> {
  const vitePkg = createRequire(join(WEB, 'package.json')).resolve('vite/package.json');
  await run(
    process.execPath,
    [
      join(dirname(vitePkg), 'bin/vite.js'),
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    WEB,
  );
}

/** What goes into the web build: apps/web's sources and config, the built contracts it imports, the lockfile. */
const WEB_INPUTS = [
  join(WEB, 'src'),
  join(WEB, 'index.html'),
  join(WEB, 'vite.config.ts'),
  join(WEB, 'package.json'),
  join(WEB, 'tsconfig.json'),
  join(ROOT, 'packages/contracts/dist'),
  join(ROOT, 'package-lock.json'),
];
const BUILD_PREFIX = 'berth-web-e2e-build-';
/** A build nobody used for this long is removed when a new one is made. */
const BUILD_KEEP_MS = 6 * 3600_000;

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => !(e.isFile() && e.name.endsWith('.map')))
      .map((e) => filesUnder(join(path, e.name))),
  );
  return nested.flat();
}

/** A hash of every input's path and content: the same sources give the same build. */
async function webInputsHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await Promise.all(WEB_INPUTS.map(filesUnder))).flat().sort();
  for (const file of files) {
    hash.update(`${file.slice(ROOT.length)}\0`);
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes builds of other sources that nobody used for BUILD_KEEP_MS (a lock or a partial build only once its builder is gone). */
async function removeOldBuilds(keep: string): Promise<void> {
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    if (!name.startsWith(BUILD_PREFIX) || join(tmpdir(), name) === keep) continue;
    if (name.endsWith('.lock') || name.includes('.partial-')) continue;
    const path = join(tmpdir(), name);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > BUILD_KEEP_MS) await rm(path, { recursive: true, force: true });
  }
}

/**
 * The web UI built from this checkout's sources, made once and shared by every test that serves
 * it: kept in the temp folder under a hash of its inputs (WEB_INPUTS), so the test serves exactly
 * this code, and a test that finds the build made (or being made, by another file running beside
 * it) uses that one. Each e2e file running its own `vite build` at the same moment made their
 * setups outlast their hooks on a busy two-core machine. The builder holds `<build>.lock` (its pid
 * inside); the others wait for the build, or take over from a builder that died.
 */
export async function builtWeb(): Promise<string> {
  const dir = join(tmpdir(), `${BUILD_PREFIX}${await webInputsHash()}`);
  const done = join(dir, '.complete');
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(done)) {
      const now = new Date();
      await utimes(dir, now, now).catch(() => {});
      return dir;
    }
    const mine = await mkdir(lock).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        return false;
      },
    );
    if (mine) {
      try {
        await writeFile(join(lock, 'pid'), String(process.pid));
        if (existsSync(done)) continue;
        const partial = `${dir}.partial-${process.pid}`;
        await buildWeb(partial);
        await writeFile(join(partial, '.complete'), new Date().toISOString());
        await rm(dir, { recursive: true, force: true });
        await rename(partial, dir);
        await removeOldBuilds(dir);
        return dir;
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
    }
    // Another test builds it: wait, unless that builder is gone (then its lock is removed and the
    // next round builds). A lock without a pid yet is a builder starting, unless it is old.
    const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => '0'));
    const age = Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
    if ((pid > 0 && !alive(pid)) || (pid === 0 && age > 30_000)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface RunningBerth {
  url: string;
  token: string;
  home: string;
  stop(): Promise<void>;
  output(): string;
}

/**
 * `berth serve` as a user runs it: its own BERTH_HOME, ports, token and templates folder; `env`
 * adds settings (BERTH_BUILD_PORTS, BERTH_BASE_IMAGES…).
 */
export async function startBerth(base: number, env: Record<string, string> = {}): Promise<RunningBerth> {
  const cli = join(ROOT, 'apps/cli/dist/main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build berth first (npm run build)`);
  const home = await mkdtemp(join(tmpdir(), 'berth-web-e2e-'));
  const templates = join(home, 'templates');
  await mkdir(templates, { recursive: true });
  await writeFile(join(templates, 'hello.yaml'), helloTemplate(base + 10, base + 59));
  const webDist = await builtWeb();
  const token = `e2e-${Math.random().toString(36).slice(2)}`;
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [cli, 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      BERTH_HOME: join(home, 'home'),
      BERTH_PORT: String(base),
      BERTH_PROXY_PORT: String(base + 1),
      BERTH_ADMIN_TOKEN: token,
      BERTH_TEMPLATES: templates,
      BERTH_WEB_DIST: webDist,
      BERTH_SHUTDOWN: 'stop',
      BERTH_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${base}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(home, { recursive: true, force: true });
  };
  // `berth serve` loads every package before it listens: seconds on a busy two-core machine.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`berth serve exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`berth serve did not answer within 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, token, home, stop, output: () => output };
}

/** GET on the API with the admin token, for checks the test makes beside the browser. */
export async function apiGet<T>(berth: RunningBerth, path: string): Promise<T> {
  const res = await fetch(`${berth.url}/api/v1${path}`, {
    headers: { authorization: `Bearer ${berth.token}` },
  });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Any call on the API with the admin token; the status and the parsed body, whatever they are. */
export async function apiCall(
  berth: RunningBerth,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${berth.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${berth.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/**
 * Signs the page in as a person does: the login form POSTs the token to /api/v1/session and the
 * server answers with the HttpOnly `berth_session` cookie; waits for the dashboard.
 */
export async function signIn(page: Page, berth: RunningBerth, token = berth.token): Promise<void> {
  await page.goto(berth.url);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** A new token with `role`, made through the API with the admin token; its secret is shown only here. */
export async function createToken(
  berth: RunningBerth,
  name: string,
  role: 'read' | 'operate' | 'admin',
): Promise<{ id: string; secret: string }> {
  const res = await apiCall(berth, 'POST', '/tokens', { name, role });
  if (res.status !== 201) throw new Error(`POST /tokens answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; secret: string };
}
