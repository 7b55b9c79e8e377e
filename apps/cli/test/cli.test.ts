import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoTemplate, startTestServer, type TestServer } from '../../server/test/test-server.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let t: TestServer;
let env: NodeJS.ProcessEnv;
const outsiders: Server[] = [];

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [echoTemplate('cli', [24600, 24699])],
  });
  env = { ...process.env, BERTH_URL: t.apiUrl, BERTH_HOME: t.home, BERTH_TOKEN: '' };
});
afterAll(async () => {
  for (const s of outsiders) s.close();
  await t?.close();
});

function berth(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function json(...args: string[]) {
  const res = await berth(...args, '--json');
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout);
}

async function listen(port: number) {
  const s = createServer();
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  outsiders.push(s);
}

describe('berth CLI against a real server', () => {
  it('create → ps → stop → rm, with --json parsed', async () => {
    const created = await json('create', 'cli', '--name', 'alpha');
    expect(created).toMatchObject({
      name: 'alpha',
      status: 'running',
      proxyUrl: `http://alpha.localhost:${t.proxyPort}/`,
    });
    const ps = await json('ps');
    expect(ps.map((i: { name: string }) => i.name)).toEqual(['alpha']);
    const table = await berth('ps');
    expect(table.stdout).toMatch(/^NAME\s+TEMPLATE\s+STATUS\s+UPTIME\s+RESTARTS\s+PORTS\s+URL\s+PROXY/);
    // uptime since the deployment started, and no restarts yet
    expect(ps[0].runningSince).toBeGreaterThan(0);
    expect(table.stdout).toMatch(/\nalpha\s+cli\s+running.*?\s(\d+s|\d+m \d+s)\s+0\s+http:/);
    expect(table.stdout).toContain(`http:${created.ports.http}`);
    expect(await json('stop', 'alpha')).toMatchObject({ status: 'stopped' });
    const rm = await berth('rm', 'alpha');
    expect(rm).toMatchObject({ code: 0, stdout: 'removed alpha\n' });
    expect(await json('ps')).toEqual([]);
  });

  it('answers reads with --json: templates, ports, preflight, version, tokens, logs', async () => {
    expect((await json('templates', 'ls'))[0].template.name).toBe('cli');
    expect((await json('templates', 'show', 'cli')).template.ports[0].name).toBe('http');
    expect((await json('ports', '--free', '2', '--from', '24700', '--to', '24799')).ports).toHaveLength(2);
    // the table, then the global range and why (below the kernel's ephemeral range on Linux)
    const ports = (await berth('ports')).stdout;
    expect(ports).toMatch(/^PORT\s+PROTO\s+KIND\s+OWNER/);
    expect(ports).toMatch(/Ports chosen outside a template's range come from \d+–\d+: /);
    await json('create', 'cli', '--name', 'beta', '--no-start');
    expect(await json('preflight', 'beta')).toEqual({ canStart: true, portConflicts: [] });
    expect(await json('logs', 'beta', '--tail', '5')).toEqual([]);
    expect((await json('version')).server).toEqual(expect.any(String));
    const token = await json('token', 'create', 'robot');
    expect((await json('token', 'ls')).map((x: { name: string }) => x.name)).toContain('robot');
    expect((await berth('token', 'revoke', token.id)).code).toBe(0);
    await berth('rm', 'beta');
    // Twelve CLI runs of ~1 s each (a Node start and one request): beside busy loops the file's
    // 60 s default ran out; this is a cap on a hang, not a time being measured.
  }, 180_000);

  it('prints one line and exits by error kind', async () => {
    expect(await berth('start', 'ghost')).toEqual({
      code: 4,
      stdout: '',
      stderr: "berth: instance 'ghost' was not found\n",
    });
    // a template's name mistyped: the message lists the ones there are
    expect(await berth('create', 'clj')).toMatchObject({
      code: 4,
      stderr: "berth: template 'clj' was not found; the templates are: cli\n",
    });
    expect((await berth('create', 'cli', '--port', 'http=notaport')).code).toBe(2);
    env.BERTH_TOKEN = 'wrong';
    expect((await berth('ps')).code).toBe(3);
    env.BERTH_TOKEN = '';
    // 24799: this file's block (24600–24799 in test/port-blocks.ts), where nothing listens
    const unreachable = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [MAIN, 'ps', '--server', 'http://127.0.0.1:24799'],
        { env },
        (err, _o, stderr) => resolve({ code: Number(err?.code ?? 0), stderr }),
      ),
    );
    expect(unreachable.code).toBe(8);
    expect(unreachable.stderr).toMatch(/^berth: cannot reach berth at/);
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);
  });

  it('start on a conflict without a terminal prints the conflicts and exits 5', async () => {
    await json('create', 'cli', '--name', 'gamma', '--port', 'http=24610', '--no-start');
    await listen(24610);
    const res = await berth('start', 'gamma');
    expect(res.code).toBe(5);
    expect(res.stderr).toMatch(/PORT NAME\s+PORT\s+USED BY\s+SUGGESTED/);
    expect(res.stderr).toContain('berth: Cannot start gamma: port 24610 (http) is in use by');
  });

  it('start --yes accepts the suggested port', async () => {
    const res = await json('start', 'gamma', '--yes');
    expect(res.status).toBe('running');
    expect(res.ports.http).not.toBe(24610);
    await berth('rm', 'gamma');
  });

  it('start on a terminal asks, takes a typed port, overrides and starts', async () => {
    await json('create', 'cli', '--name', 'delta', '--port', 'http=24620', '--no-start');
    await listen(24620);
    const { code, output } = await inPseudoTerminal(
      `${process.execPath} ${MAIN} start delta`,
      /Use \d+\? \[Y\/n\]/,
      '24630',
    );
    expect(output).toMatch(/Port 24620 is in use by .+\. Use \d+\? \[Y\/n\]/);
    expect(code).toBe(0);
    expect(await json('ps')).toContainEqual(
      expect.objectContaining({ name: 'delta', status: 'running', ports: { http: 24630 } }),
    );
    await berth('rm', 'delta');
  });
});

/** Runs `command` under `script` (a pseudo-terminal); types `answer` once `prompt` shows. */
function inPseudoTerminal(command: string, prompt: RegExp, answer: string) {
  return new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let answered = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!answered && prompt.test(output)) {
        answered = true;
        child.stdin.write(`${answer}\r`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
