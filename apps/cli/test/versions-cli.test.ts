import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

// Issue 16 §2: berth versions, versions install/remove, create --version, upgrade and rollback.
// Ports 8870–8919 belong to this file (test/port-blocks.ts).
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const RANGE: [number, number] = [8870, 8919];

/** An install step that writes run.sh into $BERTH_VERSION_DIR: a server answering its version. */
function installOf(version: string): string[] {
  const server = `require('http').createServer((q,r)=>r.end('${version}')).listen(process.env.PORT)`;
  const sh = `#!/bin/sh\nexec "${process.execPath}" -e "${server.replaceAll('"', '\\"')}"\n`;
  const code = `require('fs').writeFileSync(process.env.BERTH_VERSION_DIR+'/run.sh',${JSON.stringify(sh)},{mode:0o755});console.log('wrote run.sh')`;
  return [process.execPath, '-e', code];
}

const tool = {
  name: 'tool',
  source: {
    kind: 'command',
    command: 'false',
    versions: {
      v1: { command: '${BERTH_VERSION_DIR}/run.sh', install: installOf('v1') },
      v2: { command: '${BERTH_VERSION_DIR}/run.sh', install: installOf('v2') },
    },
  },
  ports: [{ name: 'http', env: 'PORT', preferred: RANGE[0], range: RANGE }],
  readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
};

let t: TestServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [tool] });
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
  const inst = await t.api('GET', '/instances/app');
  return (await fetch(inst.body.url)).text();
};

it('lists versions, installs one, creates on it, upgrades, rolls back and removes the unused one', async () => {
  const listed = await berth('versions', 'tool');
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(/VERSION\s+RUNS\s+NODE\s+INSTALLED\s+USED BY\s+NOTE/);
  expect(listed.stdout).toMatch(/v1\s+\$\{BERTH_VERSION_DIR\}\/run\.sh\s+local\s+no\s+-/);

  const installed = await berth('versions', 'install', 'tool', 'v1');
  expect(installed.stderr).toBe('');
  expect(installed.stdout).toContain(`version v1: installed in ${t.home}/versions/tool/v1`);

  const unknown = await berth('create', 'tool', '--name', 'app', '--version', 'v7');
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain("'v7' is not one of this template's versions (known: v1, v2)");

  const created = await berth('create', 'tool', '--name', 'app', '--version', 'v1');
  expect(created.stderr).toBe('');
  expect(created.stdout).toMatch(/^app\s+running\s+version v1/);
  expect(await answer()).toBe('v1');

  const json = JSON.parse((await berth('versions', 'tool', '--json')).stdout);
  expect(
    json.map((v: { name: string; installed: boolean; usedBy: string[] }) => [v.name, v.installed, v.usedBy]),
  ).toEqual([
    ['v1', true, ['app']],
    ['v2', false, []],
  ]);

  const inUse = await berth('versions', 'remove', 'tool', 'v1');
  expect(inUse.code).not.toBe(0);
  expect(inUse.stderr).toContain('version v1 of tool is used by app');

  // v2 is not installed yet: the upgrade's deploy installs it first.
  const upgraded = await berth('upgrade', 'app', '--version', 'v2');
  expect(upgraded.stderr).toBe('');
  expect(upgraded.stdout).toMatch(/^app\s+running\s+version v2/);
  expect(await answer()).toBe('v2');

  expect((await berth('rollback', 'app')).code).toBe(0);
  expect(await answer()).toBe('v1');
  const removed = await berth('versions', 'rm', 'tool', 'v2');
  expect(removed.stdout).toContain('removed version v2 of tool');
  expect((await berth('versions', 'tool')).stdout).toMatch(/v2\s+\S+\s+local\s+no\s+-/);
}, 180_000);
