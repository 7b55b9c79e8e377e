import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLine } from '@berth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logFilePath, readLogs } from './log-files.js';
import { LOG_INDEX_FILE } from './log-index.js';
import { LogIndexers } from './log-indexer.js';
import { LogRotationFeed } from './log-rotation-feed.js';
import { LogRotator } from './log-rotator.js';

async function collect(lines: AsyncIterable<LogLine>) {
  const out: LogLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

const seqOf = (l: LogLine) => Number(/seq (\d+)/.exec(l.line)?.[1]);

/** A process writing `seq N t=<its clock>` to stdout and stderr in turn every `everyMs`. */
function ticker(dir: string, everyMs: number, count: number) {
  const out = openSync(logFilePath(dir, 'stdout'), 'a');
  const err = openSync(logFilePath(dir, 'stderr'), 'a');
  const code = `let i=0;const t=setInterval(()=>{i++;const s=i%2?process.stdout:process.stderr;s.write('seq '+i+' t='+Date.now()+'\\n');if(i>=${count})clearInterval(t)},${everyMs})`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', out, err] });
  return new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

describe('log index: per-line times and the order written', () => {
  let dir: string;
  let indexers: LogIndexers;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-logidx-'));
  });
  afterEach(() => {
    indexers?.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives each line the time it was seen, both streams in the order written, tail and since across both', async () => {
    let now = 1_000_000;
    indexers = new LogIndexers({ clock: () => now });
    const { indexer, release } = await indexers.acquire(dir);
    await indexer.catchUp();
    for (let i = 1; i <= 20; i++) {
      now = 1_000_000 + i * 1_500;
      appendFileSync(logFilePath(dir, i % 2 ? 'stdout' : 'stderr'), `seq ${i}\n`);
      await indexer.catchUp();
    }
    const tail = await collect(readLogs(dir, { tail: 10 }, undefined, indexers));
    expect(tail.map(seqOf)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(tail.map((l) => l.stream)).toEqual(tail.map((l) => (seqOf(l) % 2 ? 'stdout' : 'stderr')));
    expect(tail.map((l) => l.ts)).toEqual(tail.map((l) => 1_000_000 + seqOf(l) * 1_500));
    expect(tail.some((l) => l.approximate)).toBe(false);
    const since = await collect(
      readLogs(dir, { tail: 100, since: 1_000_000 + 15 * 1_500 }, undefined, indexers),
    );
    expect(since.map(seqOf)).toEqual([15, 16, 17, 18, 19, 20]);
    expect(await collect(readLogs(dir, { tail: 100, since: now + 1 }, undefined, indexers))).toEqual([]);
    expect(statSync(join(dir, LOG_INDEX_FILE)).mode & 0o777).toBe(0o600);
    release();
  });

  it('times the lines of a real process within a second while watching, and tails the last ones in order', async () => {
    indexers = new LogIndexers();
    const { release } = await indexers.acquire(dir);
    await ticker(dir, 100, 30);
    await new Promise((r) => setTimeout(r, 300));
    const lines = await collect(readLogs(dir, { tail: 10 }, undefined, indexers));
    expect(lines.map(seqOf)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    for (const l of lines) {
      const written = Number(/t=(\d+)/.exec(l.line)?.[1]);
      expect(l.ts - written).toBeGreaterThanOrEqual(-10); // mtime is the coarse kernel clock
      expect(l.ts - written).toBeLessThan(1_000);
      expect(l.approximate).toBeUndefined();
    }
    expect(new Set(lines.map((l) => l.ts)).size).toBe(10);
    release();
  });

  it('follows both streams in the order written', async () => {
    indexers = new LogIndexers();
    const ac = new AbortController();
    const seen: LogLine[] = [];
    const follow = (async () => {
      for await (const l of readLogs(
        dir,
        { tail: 0, follow: true, signal: ac.signal },
        undefined,
        indexers,
      )) {
        seen.push(l);
        if (seqOf(l) === 20) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await ticker(dir, 60, 20);
    await follow;
    expect(seen.map(seqOf)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(seen.map((l) => l.ts)).toEqual([...seen.map((l) => l.ts)].sort((a, b) => a - b));
  });

  it('marks lines written while nobody indexed as approximate, timed between what is known, losing none', async () => {
    const t1 = Date.now() - 10_000;
    let now = t1;
    indexers = new LogIndexers({ clock: () => now });
    const first = await indexers.acquire(dir);
    appendFileSync(logFilePath(dir, 'stdout'), 'seq 1\n');
    await first.indexer.catchUp();
    first.release(); // berth stops; the process goes on
    appendFileSync(logFilePath(dir, 'stderr'), 'seq 2\n');
    appendFileSync(logFilePath(dir, 'stdout'), 'seq 3\nseq 4\n');
    const mtime = statSync(logFilePath(dir, 'stdout')).mtimeMs;
    now = Math.round(mtime) + 60_000; // berth starts again a minute after the last write
    const lines = await collect(readLogs(dir, { tail: 10 }, undefined, indexers));
    expect(lines.map((l) => l.line).sort()).toEqual(['seq 1', 'seq 2', 'seq 3', 'seq 4']);
    expect(lines[0]).toEqual({ ts: t1, stream: 'stdout', line: 'seq 1' });
    for (const l of lines.slice(1)) {
      expect(l.approximate).toBe(true);
      expect(l.ts).toBeGreaterThan(t1);
      expect(l.ts).toBeLessThanOrEqual(Math.round(mtime) + 1);
    }
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual([
      'seq 1',
      'seq 3',
      'seq 4',
    ]);
    // once seen, they keep their times; what comes next while watched is live again
    const second = await indexers.acquire(dir);
    await second.indexer.catchUp();
    now += 1_000;
    appendFileSync(logFilePath(dir, 'stdout'), 'seq 5\n');
    await second.indexer.catchUp();
    const again = await collect(readLogs(dir, { tail: 10 }, undefined, indexers));
    expect(again.slice(0, 4)).toEqual(lines);
    // seen live: the time of its write (the file's mtime), not when berth looked
    const written = Math.round(statSync(logFilePath(dir, 'stdout')).mtimeMs);
    expect(again[4]).toEqual({ ts: written, stream: 'stdout', line: 'seq 5' });
    second.release();
  });

  it('keeps lines and their times across rotations, reading the rotated files', async () => {
    let now = 3_000_000;
    const feed = new LogRotationFeed();
    indexers = new LogIndexers({ clock: () => now, rotations: feed });
    const rotator = new LogRotator(feed, { maxBytes: 4096, keep: 3 });
    const { indexer, release } = await indexers.acquire(dir);
    const pad = 'x'.repeat(200);
    for (let i = 1; i <= 60; i++) {
      now = 3_000_000 + i * 2_000;
      appendFileSync(logFilePath(dir, i % 3 ? 'stdout' : 'stderr'), `seq ${i} ${pad}\n`);
      await indexer.catchUp();
      if (i % 10 === 0) await rotator.rotateDir(dir);
    }
    const lines = await collect(readLogs(dir, { tail: 25 }, feed, indexers));
    expect(lines.map(seqOf)).toEqual(Array.from({ length: 25 }, (_, i) => 36 + i));
    expect(lines.map((l) => l.ts)).toEqual(lines.map((l) => 3_000_000 + seqOf(l) * 2_000));
    release();
  });

  it('tails a large log without reading all of it', async () => {
    indexers = new LogIndexers();
    const path = logFilePath(dir, 'stdout');
    const block = `${'y'.repeat(1023)}\n`.repeat(1024);
    for (let i = 0; i < 64; i++) appendFileSync(path, block); // 64 MiB
    appendFileSync(path, 'last line\n');
    const { indexer, release } = await indexers.acquire(dir);
    await indexer.catchUp();
    const started = process.cpuUsage();
    const lines = await collect(readLogs(dir, { tail: 3 }, undefined, indexers));
    const cpu = process.cpuUsage(started);
    expect(lines.map((l) => l.line.slice(0, 9))).toEqual(['yyyyyyyyy', 'yyyyyyyyy', 'last line']);
    // reading 64 MiB and splitting it into lines takes far more than this
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(150);
    release();
  });
});

describe('log index: the safety-net poll', () => {
  it('asks for its interval again before each poll (LogIndexers spreads it with the directories)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-logidx-net-'));
    let asked = 0;
    const indexers = new LogIndexers({
      safetyNetMs: () => {
        asked++;
        return 20;
      },
    });
    try {
      await indexers.acquire(dir);
      await new Promise((r) => setTimeout(r, 300));
      expect(asked).toBeGreaterThanOrEqual(4);
    } finally {
      indexers.closeAll();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
