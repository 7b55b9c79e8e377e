import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

// Issue 16 §4: berth stop|start|restart|rm on several instances. Ports 9450–9499 belong to this file.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const template = (name: string) => ({
  name,
  source: {
    kind: 'command',
    command: process.execPath,
    args: ['-e', "require('http').createServer((q,r)=>r.end('ok')).listen(process.env.PORT)"],
  },
  ports: [{ name: 'http', env: 'PORT', range: [9450, 9499] }],
  readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
});

let t: TestServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [template('buckets'), template('web')] });
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

/** The CLI on a real terminal (a pty from script(1)), answering `answer` once it asks. */
function onTerminal(answer: string, ...args: string[]) {
  const line = [process.execPath, MAIN, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', line, '/dev/null'], { env });
  let text = '';
  let answered = false;
  child.stdout.on('data', (d) => {
    text += d;
    if (!answered && text.includes('[y/N]')) {
      answered = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  return new Promise<{ code: number; text: string }>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? 1, text })),
  );
}

const status = async (name: string) => (await t.api('GET', `/instances/${name}`)).body.status;

describe('bulk actions in the CLI', () => {
  it('create and edit set labels; a bad one is refused naming it', async () => {
    for (const [name, tpl, label] of [
      ['b1', 'buckets', 'team=data'],
      ['b2', 'buckets', 'team=data'],
      ['w1', 'web', 'team=web'],
    ] as const) {
      const r = await berth('create', tpl, '--name', name, '--label', label);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const edited = await berth('edit', 'w1', '--label', 'tier=front', '--json');
    expect(JSON.parse(edited.stdout).labels).toEqual({ team: 'web', tier: 'front' });
    const bad = await berth('create', 'web', '--label', 'bad key=x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("label 'bad key'");
  });

  it('stop --template acts on each instance of it, one line each', async () => {
    const r = await berth('stop', '--template', 'buckets');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['b1  stopped', 'b2  stopped']);
    expect(await status('w1')).toBe('running');
  });

  it('a list of names with one unknown: the others start, its line says why, the exit is non-zero', async () => {
    const r = await berth('start', 'b1', 'ghost', 'b2');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ghost  failed: instance 'ghost' was not found");
    expect(r.stdout).toContain('2 done, 1 failed');
    expect(await status('b1')).toBe('running');
    expect(await status('b2')).toBe('running');
  });

  it('--label and --json answer per instance', async () => {
    const r = await berth('restart', '--label', 'team=data', '--json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toMatchObject({ action: 'restart', succeeded: 2, failed: 0 });
    expect(body.results.map((x: { name: string }) => x.name)).toEqual(['b1', 'b2']);
  });

  it('stop --all stops every instance (the "stop everything" case); start --all brings them back', async () => {
    const r = await berth('stop', '--all');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(['b1  stopped', 'b2  stopped', 'w1  stopped']);
    for (const name of ['b1', 'b2', 'w1']) expect(await status(name)).toBe('stopped');
    expect((await berth('start', '--all')).code).toBe(0);
    for (const name of ['b1', 'b2', 'w1']) expect(await status(name)).toBe('running');
  });

  it('refuses two ways of choosing, and none', async () => {
    expect((await berth('stop', 'b1', '--all')).stderr).toContain('names and --all were both given');
    const none = await berth('stop');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--template');
  });

  it('rm of several without a terminal refuses without --yes, with a clear message and exit code', async () => {
    const r = await berth('rm', '--template', 'buckets');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to remove 2 instances (b1, b2) without a confirmation');
    expect(r.stderr).toContain('--yes');
    expect(await status('b1')).toBe('running');
  });

  it('rm of several on a terminal asks: no keeps them, yes removes exactly those listed', async () => {
    const no = await onTerminal('n', 'rm', 'b1', 'b2');
    expect(no.text).toContain('Remove these 2 instances? [y/N]');
    expect(no.text).toContain('Nothing removed.');
    expect(no.code).toBe(1);
    expect(await status('b2')).toBe('running');
    const yes = await onTerminal('y', 'rm', '--label', 'team=data');
    expect(yes.text).toMatch(/b1\s+removed/);
    expect(yes.text).toMatch(/b2\s+removed/);
    expect(yes.code).toBe(0);
    expect((await t.api('GET', '/instances')).body.map((i: { name: string }) => i.name)).toEqual(['w1']);
  });

  it('rm --all --yes removes without asking; one name still works as before', async () => {
    await berth('create', 'web', '--name', 'w2', '--no-start');
    const r = await berth('rm', '--all', '--yes', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'rm', succeeded: 2, failed: 0 });
    await berth('create', 'web', '--name', 'w3', '--no-start');
    expect((await berth('rm', 'w3')).stdout).toContain('removed w3');
  });
});
