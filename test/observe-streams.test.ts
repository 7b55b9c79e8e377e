import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningServer } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nodeTemplate, startObservedServer } from './observe-support.js';
import { freePortPair } from './port-blocks.js';
import { tempHome, until, writeTemplate } from './support.js';

// Ports 12500–12599 belong to this file.
// The API on a free port of the block, the proxy on the next one (checked free as a pair).
const API = await freePortPair(12500, 12598);
const TOKEN = 'test-token';
const LINES = 30_000;

/**
 * Prints "waiting", then, once a file `go` appears in its data dir, lines 1..LINES (≈1.8 MB) in
 * steps that never leave more than 128 KB unrotated; stays up.
 */
const ticker = nodeTemplate(
  'ticker',
  [
    "const fs=require('fs');const go=require('path').join(process.env.BERTH_DATA_DIR,'go');",
    "console.log('waiting');let i=0;setInterval(()=>{},60_000);",
    // more than twice the rotation size unrotated: waits for berth to rotate (so it rotates many
    // times however slowly the machine runs berth's rotation pass)
    'const t=setInterval(()=>{if(!fs.existsSync(go)||fs.fstatSync(1).size>128*1024)return;',
    `for(let k=0;k<100&&i<${LINES};k++)console.log('line '+(++i)+' '+'z'.repeat(50));`,
    `if(i>=${LINES})clearInterval(t)},5);`,
  ].join(''),
  ['readiness: { kind: log, pattern: waiting }'],
);

interface SseMessage {
  id?: string;
  event: string;
  data: unknown;
}

/** Reads Server-Sent Events from the API until `stop` returns true or the signal aborts. */
async function readSse(
  path: string,
  stop: (m: SseMessage, all: SseMessage[]) => boolean,
  timeoutMs = 30_000,
): Promise<SseMessage[]> {
  const res = await fetch(`http://127.0.0.1:${API}/api/v1${path}`, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const all: SseMessage[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return all;
      buffer += value;
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const m = parseBlock(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (!m) continue;
        all.push(m);
        if (stop(m, all)) return all;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function parseBlock(block: string): SseMessage | undefined {
  const m: SseMessage = { event: 'message', data: undefined };
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('data: ')) data.push(line.slice(6));
    else if (line.startsWith('id: ')) m.id = line.slice(4);
    else if (line.startsWith('event: ')) m.event = line.slice(7);
  }
  if (data.length === 0) return undefined;
  m.data = JSON.parse(data.join('\n'));
  return m;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
async function api(method: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${API}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: res.status, body: await res.json() };
}

function openWs(query = '', protocols?: string[]): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${API}/api/v1/ws${query}`, protocols);
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
}

describe('live logs, events and stats over SSE and WebSocket', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;

  beforeAll(async () => {
    env = await tempHome('observe-streams');
    await writeTemplate(env.templates, 'ticker.yaml', ticker);
    server = await startObservedServer(
      env.home,
      env.templates,
      { api: API, proxy: API + 1 },
      { sampleSeconds: 0.5, logMaxBytes: 64 * 1024, logKeep: 3, logRotateSeconds: 0.05 },
    );
    await server.berth.instances.create({ template: 'ticker', name: 'ticker-1' });
    await server.berth.instances.start('ticker-1', { wait: true });
  });
  afterAll(async () => {
    for (const i of server?.berth.instances.list() ?? [])
      await server.berth.instances.remove(i.id).catch(() => undefined);
    await server?.close();
    await env?.cleanup();
  });

  it('follows a process over SSE: the tail, then every line once, in order, across log rotations', async () => {
    const inst = server.berth.instances.get('ticker-1');
    const logDir = server.berth.workspace.logDir(inst.id);
    const lines: string[] = [];
    const done = readSse(
      '/instances/ticker-1/logs?follow=1&tail=1',
      (m) => {
        const line = (m.data as { line: string }).line;
        lines.push(line);
        if (line === 'waiting') void writeFile(join(inst.dataDir, 'go'), '');
        return line.startsWith(`line ${LINES} `);
      },
      60_000,
    );
    await done;
    expect(lines[0]).toBe('waiting');
    const numbers = lines.slice(1).map((l) => Number(l.split(' ')[1]));
    expect(numbers).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    // the file was rotated several times meanwhile, keeping 3
    expect(existsSync(join(logDir, 'stdout.log.3'))).toBe(true);
    expect(existsSync(join(logDir, 'stdout.log.4'))).toBe(false);
  });

  it('lists logs with tail and since, reaching into the rotated file', async () => {
    const res = await api('GET', '/instances/ticker-1/logs?tail=5');
    expect(res.status).toBe(200);
    expect(res.body.map((l: { line: string }) => l.line.split(' ')[1])).toEqual([
      '29996',
      '29997',
      '29998',
      '29999',
      '30000',
    ]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await api('GET', `/instances/ticker-1/logs?since=${future}`)).body).toEqual([]);
    expect((await api('GET', '/instances/ticker-1/logs?since=yesterday')).status).toBe(400);
  });

  it('answers stats of an instance and of the host', async () => {
    await until('two samples', async () => {
      const { body } = await api('GET', '/instances/ticker-1/stats');
      return body.samples.length >= 2 ? body : undefined;
    });
    const { body } = await api('GET', '/instances/ticker-1/stats');
    expect(body.latest).toEqual(body.samples.at(-1));
    // A process is one replica, read whole: not partial, no per-replica shares (those are Swarm's).
    expect(body).toMatchObject({ available: true, partial: false, reason: null, replicas: null });
    expect(Object.keys(body.latest).sort()).toEqual([
      'cpuPercent',
      'diskBytes',
      'memoryBytes',
      'memoryPercent',
      'ts',
    ]);
    const since = body.samples.at(-2).ts;
    expect(
      (await api('GET', `/instances/ticker-1/stats?since=${since}`)).body.samples.length,
    ).toBeGreaterThanOrEqual(1);
    const host = await api('GET', '/host/stats');
    expect(host.body.latest).toMatchObject({
      cpuCount: expect.any(Number),
      memoryTotalBytes: expect.any(Number),
    });
    expect(host.body.history.length).toBeGreaterThan(0);
    expect((await api('GET', '/instances/nope/stats')).status).toBe(404);
  });

  it('lists events and follows them over SSE, without a gap or a repeat', async () => {
    const listed = await api('GET', '/events?instance=ticker-1');
    expect(listed.body.some((e: { type: string }) => e.type === 'instance.status')).toBe(true);
    let restarted = false;
    const seen = await readSse('/events?follow=1&instance=ticker-1', (m, all) => {
      if (!restarted && all.length === listed.body.length) {
        restarted = true;
        void api('POST', '/instances/ticker-1/restart');
      }
      const e = m.data as { type: string; data: { to?: string } };
      return all.length > listed.body.length && e.type === 'instance.status' && e.data.to === 'running';
    });
    const ids = seen.map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const live = seen.slice(listed.body.length).map((m) => (m.data as { data: { to?: string } }).data.to);
    expect(live).toEqual(['stopping', 'stopped', 'deploying', 'running']);
  });

  it('closes a WebSocket without a token with 4003, and one with bad parameters with 4000; takes a header token', async () => {
    expect((await closed(openWs())).code).toBe(4003);
    expect((await closed(openWs('?token=wrong'))).code).toBe(4003);
    for (const bad of [
      'not json',
      '{"type":"logs"}',
      '{"type":"nope","instance":"x"}',
      '{"type":"stats","instance":""}',
    ]) {
      const ws = openWs(`?token=${TOKEN}`);
      ws.once('open', () => ws.send(bad));
      const { code, reason } = await closed(ws);
      expect(code, bad).toBe(4000);
      expect(reason.length).toBeGreaterThan(0);
    }
    expect((await fetch(`http://127.0.0.1:${API}/api/v1/ws`)).status).toBe(401);
    const plain = await fetch(`http://127.0.0.1:${API}/api/v1/ws`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(plain.status).toBe(426);
    expect((await plain.json()).error.code).toBe('UPGRADE_REQUIRED');
    const byHeader = new WebSocket(`ws://127.0.0.1:${API}/api/v1/ws`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    byHeader.once('open', () => byHeader.send('{"type":"events"}'));
    const ack = await new Promise((r) => byHeader.once('message', (m) => r(JSON.parse(String(m)))));
    expect(ack).toEqual({ type: 'subscribed', id: null, subscription: 'events' });
    byHeader.close();
    const unknown = openWs(`?token=${TOKEN}`);
    unknown.once('open', () => unknown.send('{"type":"logs","instance":"nope"}'));
    expect((await closed(unknown)).code).toBe(4004);
  });

  it('streams logs, events and stats over one WebSocket authenticated by subprotocol', async () => {
    const ws = openWs('', ['bearer', TOKEN]);
    const got: { type: string; id: string | null; data?: { line?: string } }[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        expect(ws.protocol).toBe('bearer');
        ws.send(JSON.stringify({ type: 'logs', id: 'l', instance: 'ticker-1', tail: 2 }));
        ws.send(JSON.stringify({ type: 'stats', id: 's', instance: 'ticker-1' }));
        ws.send(JSON.stringify({ type: 'events', id: 'e', instance: 'ticker-1' }));
      });
      ws.on('message', (raw) => {
        got.push(JSON.parse(String(raw)));
        if (got.some((m) => m.type === 'stats') && got.filter((m) => m.type === 'log').length >= 2) resolve();
      });
      ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
    });
    expect(
      got
        .filter((m) => m.type === 'subscribed')
        .map((m) => m.id)
        .sort(),
    ).toEqual(['e', 'l', 's']);
    expect(
      got.filter((m) => m.type === 'log').every((m) => m.id === 'l' && typeof m.data?.line === 'string'),
    ).toBe(true);
    ws.close();
  });
});
