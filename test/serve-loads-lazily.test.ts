import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, until } from './support.js';

const MAIN = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const TOKEN = 'serve-loads-lazily-token';

/**
 * Libraries a start does not need (issue 20 §5: a second `npm start` serves in ≤ 3 s): loading
 * @kubernetes/client-node took 1.2 s of a 4.8 s start, before any kubernetes node existed. ssh2
 * (ssh nodes), gRPC and protobuf (BuildKit sessions) and pino-pretty (readable lines) are memory
 * a server logging JSON with no ssh node never uses (issue 20 §2), even with a Docker engine.
 */
const LATER = [
  '/node_modules/@kubernetes/client-node/',
  '/node_modules/nodemailer/',
  '/node_modules/ssh2/',
  '/node_modules/@grpc/grpc-js/',
  '/node_modules/protobufjs/',
  '/node_modules/pino-pretty/',
];

// Every module the server process loads is written to a file: ES modules by a loader hook
// (`--import`), CommonJS files as require reads them (dockerode's own requires never reach the hook).
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LOADED_LOG, url + '\\n');
  return next(url, context);
}
`;
const REGISTER = (hooks: string) =>
  `import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)});
const js = Module._extensions['.js'];
Module._extensions['.js'] = function (module, filename) {
  appendFileSync(process.env.LOADED_LOG, filename + '\\n');
  return js.call(this, module, filename);
};
`;

describe('berth serve', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('answers without loading what only a kubernetes node or a mail needs; a kubernetes node loads its client', async () => {
    const { home, cleanup } = await tempHome('serve-lazy');
    cleanups.push(cleanup);
    const hooks = join(home, 'hooks.mjs');
    const register = join(home, 'register.mjs');
    const loadedLog = join(home, 'loaded.txt');
    await writeFile(hooks, HOOKS);
    await writeFile(register, REGISTER(hooks));
    await writeFile(loadedLog, '');
    const proc = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(register).href,
        MAIN,
        'serve',
        '--home',
        home,
        '--port',
        '0',
        '--proxy-port',
        '0',
      ],
      {
        env: { ...process.env, LOADED_LOG: loadedLog, BERTH_ADMIN_TOKEN: TOKEN, BERTH_LOG_FORMAT: 'json' },
      },
    );
    const exited = new Promise((r) => proc.once('exit', r));
    cleanups.push(async () => {
      proc.kill('SIGTERM');
      await exited;
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const api = await until('berth is listening', () => /"api":"(http:\/\/[^"]+)"/.exec(out)?.[1], 60_000);
    expect((await fetch(`${api}/api/v1/health`)).status).toBe(200);
    // What a start ends with: the reconciler's first ticks, the compose CLI's search.
    await new Promise((r) => setTimeout(r, 1500));
    const loaded = async () => (await readFile(loadedLog, 'utf8')).split('\n');
    const atStart = await loaded();
    expect(atStart.some((u) => u.includes('/apps/server/dist/'))).toBe(true);
    for (const lib of LATER) expect(atStart.filter((u) => u.includes(lib))).toEqual([]);
    // Lazy is not absent: a Docker engine on this machine is still reached at start, through dockerode.
    if (existsSync('/var/run/docker.sock'))
      expect(atStart.some((u) => u.includes('/node_modules/dockerode/'))).toBe(true);

    // Checking a kubernetes node's config needs the client's kubeconfig parser: loaded now.
    const res = await fetch(`${api}/api/v1/nodes/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'cluster',
        kind: 'kubernetes',
        config: { kubeconfig: join(home, 'none') },
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details?: { field?: string } } }).error.details?.field).toBe(
      'kubeconfig',
    );
    expect((await loaded()).some((u) => u.includes(LATER[0]!))).toBe(true);
  }, 120_000);
});
