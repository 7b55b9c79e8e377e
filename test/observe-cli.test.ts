import { execFile, spawn } from 'node:child_process';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTemplate, startObservedServer } from './observe-support.js';
import { freePortPair } from './port-blocks.js';
import { tempHome, until, writeTemplate } from './support.js';

// Ports 12200–12299 belong to this file.
// The API on a free port of the block, the proxy on the next one (checked free as a pair).
const API = await freePortPair(12200, 12298);
const MAIN = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const env = { ...process.env, BERTH_URL: `http://127.0.0.1:${API}`, BERTH_TOKEN: 'test-token' };

/** Prints "hello N" for every line of a file `say` that appears in its data dir (then removes it). */
const talker = nodeTemplate(
  'talker',
  [
    "const fs=require('fs');const say=require('path').join(process.env.BERTH_DATA_DIR,'say');",
    "console.log('ready');console.error('oops');",
    'setInterval(()=>{if(!fs.existsSync(say))return;',
    "for(const l of fs.readFileSync(say,'utf8').split('\\n').filter(Boolean))console.log(l);fs.rmSync(say)},20);",
  ].join(''),
  ['readiness: { kind: log, pattern: ready }'],
);

function berth(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs a following command until its output satisfies `done`, then sends Ctrl-C. */
async function follow(args: string[], done: (out: string) => boolean, act: () => Promise<unknown>) {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await until('the follow to connect', () => stdout.length > 0 || undefined);
    await act();
    await until(`${args.join(' ')} to print what was expected`, () => done(stdout) || undefined);
  } finally {
    child.kill('SIGINT');
  }
  return { code: await exited, stdout, stderr };
}

describe('berth logs, events and stats', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;
  let dataDir: string;

  beforeAll(async () => {
    home = await tempHome('observe-cli');
    await writeTemplate(home.templates, 'talker.yaml', talker);
    server = await startObservedServer(
      home.home,
      home.templates,
      { api: API, proxy: API + 1 },
      { sampleSeconds: 0.3 },
    );
    await server.berth.instances.create({ template: 'talker', name: 'talk-1' });
    await server.berth.instances.start('talk-1', { wait: true });
    dataDir = server.berth.instances.get('talk-1').dataDir;
  });
  afterAll(async () => {
    for (const i of server?.berth.instances.list() ?? [])
      await server.berth.instances.remove(i.id).catch(() => undefined);
    await server?.close();
    await home?.cleanup();
  });

  it('prints the tail, with stderr marked, and rejects a bad --since with exit code 2', async () => {
    const res = await berth('logs', 'talk-1', '--tail', '10', '--since', '5m');
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n').filter(Boolean).sort()).toEqual(['! oops', 'ready']);
    const bad = await berth('logs', 'talk-1', '--since', 'last tuesday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/duration like 5m/);
    expect((await berth('logs', 'nobody')).code).toBe(4);
  });

  it('follows logs with -f until Ctrl-C', async () => {
    const said = ['hello 1', 'hello 2', 'hello 3'];
    const res = await follow(
      ['logs', 'talk-1', '-f', '--tail', '1'],
      (out) => out.includes('hello 3'),
      async () => {
        // whole or not at all: the talker reads and removes the file as soon as it sees it
        await writeFile(join(dataDir, 'say.tmp'), `${said.join('\n')}\n`);
        await rename(join(dataDir, 'say.tmp'), join(dataDir, 'say'));
      },
    );
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n').filter(Boolean);
    expect(lines.slice(-3)).toEqual(said);
    expect(lines).toHaveLength(4); // the one tail line, then the three new ones
  });

  it('lists and follows events', async () => {
    const listed = await berth('events', 'talk-1', '--json');
    const events = JSON.parse(listed.stdout);
    expect(events.map((e: { type: string }) => e.type)).toContain('instance.status');
    const text = await berth('events', 'talk-1');
    expect(text.stdout).toMatch(/talk-1 {2}status → running {2}deployed and ready/);
    const res = await follow(
      ['events', 'talk-1', '-f', '--limit', '1'],
      (out) => /status → stopped/.test(out),
      () => server.berth.instances.stop('talk-1', { wait: true }),
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/status → stopping {2}stop requested/);
    await server.berth.instances.start('talk-1', { wait: true });
  });

  it('shows a stats table, one instance with its history, and JSON', async () => {
    await until('samples', () =>
      server.berth.sampler.history(server.berth.instances.get('talk-1').id).length >= 2 ? true : undefined,
    );
    const table = await berth('stats');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^host: CPU/);
    expect(table.stdout).toMatch(/NAME\s+CPU %\s+MEMORY\s+MEM %\s+DISK/);
    expect(table.stdout).toMatch(/talk-1\s+\d+\.\d%\s+[\d.]+ MiB/);
    const one = await berth('stats', 'talk-1');
    expect(one.stdout).toMatch(/^talk-1 {2}\(\d+ samples/);
    expect(one.stdout).toMatch(/memory\s+[\d.]+ MiB/);
    const json = JSON.parse((await berth('stats', 'talk-1', '--json')).stdout);
    expect(json.latest.memoryBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('refreshes with --watch until Ctrl-C', async () => {
    const res = await follow(
      ['stats', '--watch'],
      (out) => out.split('host: CPU').length > 2,
      async () => undefined,
    );
    expect(res.code).toBe(0);
  });
});
