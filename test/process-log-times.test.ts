import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LogLineView } from '@berth/contracts';
import type { RunningServer } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nodeTemplate, startObservedServer } from './observe-support.js';
import { tempHome, until, writeTemplate } from './support.js';

// Issue 15 §1: a process writing to stdout and stderr in turn — every line carries the time it
// was written, both streams come back in the order written, `tail` is the last lines across both,
// `since` only the lines after it, in the API, the CLI, SSE and WebSocket follows, and lines
// written while berth was down (shutdown `leave`) come back marked approximate, none lost.

const TOKEN = 'test-token';
const CLI = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));

/**
 * The ticker's interval. berth learns of a line when it looks at the files (inotify wakes it), so
 * two lines of one stream seen in the same look before a line of the other would come back out of
 * order: a tick of 400 ms keeps that to looks more than 800 ms late, which a busy machine (two busy
 * loops beside the suite) does not reach.
 */
const TICK_MS = 400;

/** `seq N t=<its clock>` every TICK_MS, odd N on stdout, even N on stderr. */
const ticker = nodeTemplate(
  'ticker',
  `let i=0;setInterval(()=>{i++;(i%2?process.stdout:process.stderr).write('seq '+i+' t='+Date.now()+'\\n')},${TICK_MS})`,
  ['readiness: { kind: log, pattern: "seq 1 " }'],
);

const seq = (l: LogLineView) => Number(/seq (\d+)/.exec(l.line)?.[1]);
const writtenAt = (l: LogLineView) => Number(/t=(\d+)/.exec(l.line)?.[1]);
const consecutive = (ls: LogLineView[]) => ls.map(seq).every((s, i, all) => i === 0 || s === all[i - 1]! + 1);

let env: Awaited<ReturnType<typeof tempHome>>;
let server: RunningServer;

const start = () =>
  startObservedServer(env.home, env.templates, { api: 0, proxy: 0 }, { logRotateSeconds: 0.2 });

async function logs(query: string): Promise<LogLineView[]> {
  const res = await fetch(`${server.apiUrl}/api/v1/instances/ticker-1/logs?${query}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as LogLineView[];
}

function cli(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const cliEnv = { ...process.env, BERTH_URL: server.apiUrl, BERTH_HOME: env.home, BERTH_TOKEN: TOKEN };
    execFile(process.execPath, [CLI, ...args], { env: cliEnv }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('process logs: per-line times, both streams in order, tail and since right', () => {
  beforeAll(async () => {
    env = await tempHome('process-log-times');
    await writeTemplate(env.templates, 'ticker.yaml', ticker);
    server = await start();
    await server.berth.instances.create({ template: 'ticker', name: 'ticker-1' });
    await server.berth.instances.start('ticker-1', { wait: true });
    await until('16 lines', async () => (await logs('tail=100')).length >= 16, 16 * TICK_MS + 20_000);
  });
  afterAll(async () => {
    for (const i of server?.berth.instances.list() ?? [])
      await server.berth.instances.remove(i.id).catch(() => undefined);
    await server?.close();
    await env?.cleanup();
  });

  it('tail 10 is the last ten lines across both streams, in the order written, each with its own time', async () => {
    const lines = await logs('tail=10');
    expect(lines).toHaveLength(10);
    expect(consecutive(lines)).toBe(true);
    expect(lines.map((l) => l.stream)).toEqual(lines.map((l) => (seq(l) % 2 ? 'stdout' : 'stderr')));
    expect(new Set(lines.map((l) => l.ts)).size).toBe(10);
    for (const l of lines) {
      expect(l.approximate).toBeUndefined();
      expect(l.ts - writtenAt(l)).toBeGreaterThanOrEqual(-10);
      expect(l.ts - writtenAt(l)).toBeLessThan(1_000);
    }
    // the newest line is at most a tick and a look old
    const newest = (await logs('tail=200')).at(-1)!;
    expect(Date.now() - newest.ts).toBeLessThan(TICK_MS + 1_300);
  });

  it('since returns only the lines written at or after that time', async () => {
    const all = await logs('tail=1000');
    const pivot = all[all.length - 6]!;
    const after = await logs(`since=${pivot.ts}&tail=1000`);
    expect(after.map(seq)).toEqual(all.slice(-6).map(seq).concat(after.slice(6).map(seq)));
    expect(after.every((l) => l.ts >= pivot.ts)).toBe(true);
    const iso = new Date(pivot.ts).toISOString();
    expect((await logs(`since=${encodeURIComponent(iso)}`)).map(seq)[0]).toBe(seq(pivot));
  });

  it('the CLI agrees: --tail and --since with --json', async () => {
    const res = await cli('logs', 'ticker-1', '--tail', '10', '--json');
    expect(res.code).toBe(0);
    const lines = JSON.parse(res.stdout) as LogLineView[];
    expect(lines).toHaveLength(10);
    expect(consecutive(lines)).toBe(true);
    const api = await logs('tail=1000');
    const bySeq = new Map(api.map((l) => [seq(l), l]));
    for (const l of lines) expect(l).toEqual(bySeq.get(seq(l)));
    const since = await cli('logs', 'ticker-1', '--since', '1s', '--json');
    const recent = JSON.parse(since.stdout) as LogLineView[];
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThanOrEqual(8);
    expect(recent.every((l) => l.ts >= Date.now() - 5_000)).toBe(true);
    const timed = await cli('logs', 'ticker-1', '--tail', '2', '--timestamps');
    expect(timed.stdout.trim().split('\n')).toHaveLength(2);
    expect(timed.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /m);
  });

  it('follows over SSE and WebSocket in the order written', async () => {
    const res = await fetch(`${server.apiUrl}/api/v1/instances/ticker-1/logs?follow=1&tail=2`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${TOKEN}` },
      signal: AbortSignal.timeout(20_000),
    });
    const sse: LogLineView[] = [];
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    while (sse.length < 8) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, cut)
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        buffer = buffer.slice(cut + 2);
        if (data) sse.push(JSON.parse(data) as LogLineView);
      }
    }
    await reader.cancel();
    expect(consecutive(sse)).toBe(true);
    expect(sse.map((l) => l.ts)).toEqual([...sse.map((l) => l.ts)].sort((a, b) => a - b));

    const ws = new WebSocket(`${server.apiUrl.replace('http', 'ws')}/api/v1/ws`, ['bearer', TOKEN]);
    const viaWs: LogLineView[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () =>
        ws.send(JSON.stringify({ type: 'logs', id: 'l', instance: 'ticker-1', tail: 2 })),
      );
      ws.on('message', (raw) => {
        const m = JSON.parse(String(raw)) as { type: string; data?: LogLineView };
        if (m.type === 'log' && m.data) viaWs.push(m.data);
        if (viaWs.length >= 8) resolve();
      });
      ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
    });
    ws.close();
    expect(consecutive(viaWs)).toBe(true);
    for (const l of viaWs) expect(l.ts - writtenAt(l)).toBeLessThan(1_000);
  });

  it('lines written while berth was down come back approximate, none lost, and later ones are live again', async () => {
    const before = (await logs('tail=100000')).at(-1)!;
    await server.close(); // shutdown policy `leave`: the ticker goes on
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 12 * TICK_MS));
    server = await start();
    const restartedAt = Date.now();
    await until(
      'the ticker adopted',
      async () => server.berth.instances.get('ticker-1').status === 'running',
    );
    await new Promise((r) => setTimeout(r, 8 * TICK_MS));
    const all = await logs('tail=100000');
    // none lost, none twice; the lines berth saw are in the order written (the others are estimated)
    expect(all.map(seq).sort((a, b) => a - b)).toEqual(all.map((_, i) => i + 1));
    expect(consecutive(all.filter((l) => !l.approximate && seq(l) <= seq(before)))).toBe(true);
    expect(seq(all.at(-1)!)).toBeGreaterThan(seq(before) + 10);
    const down = all.filter((l) => writtenAt(l) > stoppedAt && writtenAt(l) < restartedAt - 300);
    expect(down.length).toBeGreaterThanOrEqual(8);
    for (const l of down) {
      expect(l.approximate).toBe(true);
      expect(l.ts).toBeGreaterThanOrEqual(before.ts);
      expect(l.ts).toBeLessThanOrEqual(Date.now());
    }
    expect(all.filter((l) => seq(l) <= seq(before)).some((l) => l.approximate)).toBe(false);
    const live = all.filter((l) => writtenAt(l) > restartedAt + 500);
    expect(live.length).toBeGreaterThan(2);
    for (const l of live) {
      expect(l.approximate).toBeUndefined();
      expect(l.ts - writtenAt(l)).toBeLessThan(1_000);
    }
    expect(stoppedAt).toBeLessThan(restartedAt);
  });
});
