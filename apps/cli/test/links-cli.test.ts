import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

// Issue 15 §4/§5: `create` and `ps` say which port each link goes to; nodes show their address.
// Ports 25200–25299 belong to this file; the API and proxy take free ports.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const script = [
  "const http=require('http');",
  "for(const [port,say] of [[process.env.PORT,'http'],[process.env.METRICS_PORT,'metrics']])",
  'http.createServer((q,r)=>r.end(say)).listen(port);',
].join('');
const duo = {
  name: 'duo',
  source: { kind: 'command', command: process.execPath, args: ['-e', script] },
  ports: [
    { name: 'metrics', env: 'METRICS_PORT', preferred: 25200, range: [25200, 25249] },
    { name: 'http', env: 'PORT', preferred: 25250, range: [25250, 25299] },
  ],
  readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
};

let t: TestServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [duo] });
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

it('create lists each link with the port it targets, the default first; ps names the link port', async () => {
  const created = await berth('create', 'duo', '--name', 'pair');
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  const ports = (
    (await await fetch(`${t.apiUrl}/api/v1/instances/pair`, {
      headers: { authorization: `Bearer ${t.token}` },
    }).then((r) => r.json())) as { ports: Record<string, number> }
  ).ports;
  const lines = created.stdout.trim().split('\n');
  expect(lines[1]).toBe(
    `  http     http://127.0.0.1:${ports.http}/  proxy http://pair.localhost:${t.proxyPort}/  (default)`,
  );
  expect(lines[2]).toBe(
    `  metrics  http://127.0.0.1:${ports.metrics}/  proxy http://metrics.pair.localhost:${t.proxyPort}/`,
  );
  const table = await berth('ps');
  expect(table.stdout).toMatch(
    /^NAME\s+TEMPLATE\s+STATUS\s+UPTIME\s+RESTARTS\s+PORTS\s+URL\s+PROXY\s+LINK PORT\n/,
  );
  expect(table.stdout).toMatch(new RegExp(`pair .*http://pair\\.localhost:${t.proxyPort}/\\s+http\\s*\\n`));
});

it('node ls shows the address links use; node address refuses this machine and bad input', async () => {
  const ls = await berth('node', 'ls');
  expect(ls.stdout).toMatch(/ADDRESS/);
  expect(ls.stdout).toMatch(/local .*127\.0\.0\.1/);
  const local = await berth('node', 'address', 'local', '10.0.0.1');
  expect(local.code).not.toBe(0);
  expect(local.stderr).toContain('node local is this machine');
  const neither = await berth('node', 'address', 'local');
  expect(neither.code).not.toBe(0);
  expect(neither.stderr).toContain('give either a host name or IP address, or --reset');
});
