import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0 });
});
afterAll(async () => {
  await t?.close();
});

/** `berth …` as a person runs it, with `token` as BERTH_TOKEN (the admin token unless told). */
function berth(args: string[], token = t.token) {
  const env = { ...process.env, BERTH_URL: t.apiUrl, BERTH_HOME: t.home, BERTH_TOKEN: token };
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function json(args: string[], token?: string) {
  const res = await berth([...args, '--json'], token);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout);
}

describe('berth token create --role', () => {
  it('says in --help what each role may do', async () => {
    const help = await berth(['token', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--role <role>/);
    expect(help.stdout).toMatch(/choices: "metrics", "read", "operate", "admin"/);
    expect(help.stdout).toMatch(/^\s+read\s+every GET/m);
    expect(help.stdout).toMatch(/^\s+operate\s+read, and start, stop, restart and kill/m);
    expect(help.stdout).toMatch(/^\s+admin\s+everything: templates/m);
  });

  it('creates a token with each role, and the server holds it to that role', async () => {
    const reader = await json(['token', 'create', 'reader', '--role', 'read']);
    const operator = await json(['token', 'create', 'operator', '--role', 'operate']);
    const admin = await json(['token', 'create', 'second-admin', '--role', 'admin']);
    expect([reader.role, operator.role, admin.role]).toEqual(['read', 'operate', 'admin']);

    // a read token reads, and is refused a write with the "forbidden" exit code
    expect(Array.isArray(await json(['ps'], reader.secret))).toBe(true);
    const refused = await berth(['token', 'create', 'sneaky', '--role', 'admin'], reader.secret);
    expect(refused.code).toBe(3);
    expect(refused.stderr).not.toMatch(/at .+\.js:\d+/); // one sentence, never a stack
    const operatorRefused = await berth(['token', 'ls'], operator.secret);
    expect(operatorRefused.code).toBe(3);
    expect((await json(['token', 'ls'], admin.secret)).map((x: { name: string }) => x.name)).not.toContain(
      'sneaky',
    );
  });

  it('makes a read token when no role is given (least privilege), and says the role', async () => {
    const plain = await berth(['token', 'create', 'plain']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/# token plain \(.+\), role read; this secret is not shown again/);
  });

  it('refuses an unknown role with usage exit 2, naming the choices, and creates nothing', async () => {
    const bad = await berth(['token', 'create', 'oops', '--role', 'root']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'root' is invalid/);
    expect(bad.stderr).toMatch(/read, operate, admin/);
    expect((await json(['token', 'ls'])).map((x: { name: string }) => x.name)).not.toContain('oops');
  });

  it('lists the role of every token, as a table and as JSON', async () => {
    const table = await berth(['token', 'ls']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+CREATED\s+LAST USED\s+REVOKED/);
    expect(table.stdout).toMatch(/\breader\s+read\b/);
    expect(table.stdout).toMatch(/\boperator\s+operate\b/);
    const rows = await json(['token', 'ls']);
    expect(rows.find((r: { name: string }) => r.name === 'second-admin')).toMatchObject({ role: 'admin' });
    expect(rows.every((r: Record<string, unknown>) => !('secret' in r))).toBe(true);
  });
});
