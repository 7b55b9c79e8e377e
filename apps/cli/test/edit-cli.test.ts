import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

// Issue 16 §1: berth edit, apply, history and rollback. Ports 23800–23899 belong to this file.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const greeter = {
  name: 'greeter',
  source: {
    kind: 'command',
    command: process.execPath,
    args: [
      '-e',
      "require('http').createServer((q,r)=>r.end([process.env.GREETING,process.env.EXTRA].join(' ').trim())).listen(process.env.PORT)",
    ],
  },
  ports: [{ name: 'http', env: 'PORT', preferred: 23800, range: [23800, 23899] }],
  config: { greeting: { type: 'string', default: 'hi', env: 'GREETING' } },
  readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
};

let t: TestServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [greeter] });
  env = { ...process.env, BERTH_URL: t.apiUrl, BERTH_HOME: t.home, BERTH_TOKEN: t.token };
});
afterAll(() => t?.close());

function berth(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const answer = async () => {
  const inst = await t.api('GET', '/instances/site');
  return (await fetch(inst.body.url)).text();
};

it('edit stores the change, ps and show say it is not applied, apply runs it', async () => {
  expect((await berth('create', 'greeter', '--name', 'site')).code).toBe(0);
  const edited = await berth('edit', 'site', '--config', 'greeting=hello', '--env', 'EXTRA=x');
  expect(edited.stderr).toBe('');
  expect(edited.code).toBe(0);
  expect(edited.stdout).toContain('changes not applied: config.greeting, env.EXTRA (berth apply site)');
  expect((await berth('ps')).stdout).toMatch(/site .*running \(changes not applied\)/);
  expect(await answer()).toBe('hi');
  const applied = await berth('apply', 'site', '--json');
  expect(applied.code).toBe(0);
  expect(JSON.parse(applied.stdout)).toMatchObject({ status: 'running', unappliedChanges: [] });
  expect(await answer()).toBe('hello x');
});

it('edit --apply redeploys at once; bad input names the field; nothing to change is refused', async () => {
  const now = await berth('edit', 'site', '--env', 'EXTRA=', '--apply', '--json');
  expect(now.code).toBe(0);
  expect(JSON.parse(now.stdout)).toMatchObject({ env: {}, unappliedChanges: [] });
  expect(await answer()).toBe('hello');
  const bad = await berth('edit', 'site', '--env', '1X=a');
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('env.1X');
  const port = await berth('edit', 'site', '--port', 'http=99999');
  expect(port.code).not.toBe(0);
  expect(port.stderr).toContain('between 1 and 65535');
  const nothing = await berth('edit', 'site');
  expect(nothing.code).not.toBe(0);
  expect(nothing.stderr).toContain('nothing to change');
});

it('history lists the deployments with their spec; rollback runs an earlier one', async () => {
  const history = await berth('history', 'site', '--json');
  const deps = JSON.parse(history.stdout) as { id: string; spec: { config: Record<string, string> } }[];
  expect(deps).toHaveLength(3);
  expect(deps[0]?.spec.config.greeting).toBe('hello');
  expect((await berth('history', 'site')).stdout).toMatch(/^DEPLOYMENT\s+CREATED\s+STATUS/);
  const back = await berth('rollback', 'site');
  expect(back.code).toBe(0);
  expect(await answer()).toBe('hello x');
  const first = deps.at(-1)?.id ?? '';
  expect((await berth('rollback', 'site', first)).code).toBe(0);
  expect(await answer()).toBe('hi');
  const unknown = await berth('rollback', 'site', 'nope');
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain("deployment 'nope' was not found");
});
