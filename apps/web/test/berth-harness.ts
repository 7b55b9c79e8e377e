import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  const webDist = join(home, 'web-dist');
  await mkdir(templates, { recursive: true });
  await writeFile(join(templates, 'hello.yaml'), helloTemplate(base + 10, base + 59));
  await buildWeb(webDist);
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
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`berth serve exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`berth serve did not answer within 30 s:\n${output}`);
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
