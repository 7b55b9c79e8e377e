import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLine } from '@berth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logFilePath, readLogs } from './log-files.js';
import { INDEX_HEADER_BYTES, INDEX_RECORD_BYTES, indexPath } from './log-index.js';
import { LogIndexers } from './log-indexer.js';
import { LogRotationFeed } from './log-rotation-feed.js';
import { LogRotator } from './log-rotator.js';
import { LOG_STREAMS } from './log-streams.js';

async function collect(lines: AsyncIterable<LogLine>) {
  const out: LogLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

const seqOf = (l: LogLine) => Number(/seq (\d+)/.exec(l.line)?.[1]);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sorted = (ns: number[]) => [...ns].sort((a, b) => a - b);
/** Lines a millisecond apart on two streams may swap across streams; within one they may not. */
const ofStream = (lines: LogLine[], odd: boolean) => lines.map(seqOf).filter((n) => n % 2 === (odd ? 1 : 0));

/** A process writing `seq N <pad>` to stdout and stderr in turn, one line a millisecond. */
function writer(dir: string, count: number) {
  const out = openSync(logFilePath(dir, 'stdout'), 'a');
  const err = openSync(logFilePath(dir, 'stderr'), 'a');
  const pad = 'p'.repeat(90);
  const code = `let i=0;const t=setInterval(()=>{i++;const s=i%2?process.stdout:process.stderr;s.write('seq '+i+' ${pad}\\n');if(i>=${count})clearInterval(t)},1)`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', out, err] });
  return new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

/** Lines the files of both streams still hold (the live one and every rotated one). */
function keptNewlines(dir: string): number {
  let n = 0;
  for (const s of LOG_STREAMS) {
    for (let k = 0; ; k++) {
      const path = k === 0 ? logFilePath(dir, s) : `${logFilePath(dir, s)}.${k}`;
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        break;
      }
      for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
    }
  }
  return n;
}

describe('log index: bounded across rotations', () => {
  let dir: string;
  let indexers: LogIndexers;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-logidx-compact-'));
  });
  afterEach(() => {
    indexers?.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops the records of rotated-away lines, and tail, since and a running follow stay right', async () => {
    const feed = new LogRotationFeed();
    indexers = new LogIndexers({ rotations: feed });
    const rotator = new LogRotator(feed, { maxBytes: 8192, keep: 2 });
    const { indexer, release } = await indexers.acquire(dir);
    const total = 3000; // ~300 KB: about 18 rotations of each stream, most dropping a file
    const ac = new AbortController();
    const followed: LogLine[] = [];
    const follow = (async () => {
      for await (const l of readLogs(dir, { tail: 0, follow: true, signal: ac.signal }, feed, indexers)) {
        followed.push(l);
        if (followed.length === total) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    let writing = true;
    const done = writer(dir, total).finally(() => {
      writing = false;
    });
    const epochs = new Set<number>();
    while (writing) {
      await rotator.rotateDir(dir);
      await indexer.catchUp();
      epochs.add(indexer.epoch);
      await new Promise((r) => setTimeout(r, 40));
    }
    await done;
    await rotator.rotateDir(dir);
    await indexer.catchUp();
    const giveUp = setTimeout(() => ac.abort(), 5_000); // a line lost would leave it waiting
    await follow;
    clearTimeout(giveUp);

    // The follower saw every line once, each stream in order, across rotations and compactions.
    expect(sorted(followed.map(seqOf))).toEqual(range(1, total));
    for (const odd of [true, false]) expect(ofStream(followed, odd)).toEqual(sorted(ofStream(followed, odd)));

    // Bound: no more records than the kept files hold lines (each record ends at a newline of
    // its stream), plus the last one; with these files (≤ ~3 × 12 KiB a stream) under 40 KiB,
    // where keeping every record of 3000 lines would take up to 120 KB.
    const size = statSync(indexPath(dir)).size;
    const records = (size - INDEX_HEADER_BYTES) / INDEX_RECORD_BYTES;
    expect(records).toBeLessThanOrEqual(keptNewlines(dir) + 1);
    expect(size).toBeLessThan(40 * 1024);
    expect(indexer.count).toBe(records);
    expect(epochs.size).toBeGreaterThan(2); // compactions happened while it followed
    expect(statSync(indexPath(dir)).mode & 0o777).toBe(0o600);

    // tail and since read the compacted index right: the kept lines, in the order the follower
    // saw them, ending with the last ones written.
    const all = await collect(readLogs(dir, { tail: 100_000 }, feed, indexers));
    expect(all.length).toBeGreaterThan(100);
    const kept = new Set(all.map(seqOf));
    expect(all.map(seqOf)).toEqual(followed.map(seqOf).filter((n) => kept.has(n)));
    for (const odd of [true, false]) {
      const got = ofStream(all, odd); // each stream: every line from its oldest kept one on
      const last = odd ? total - 1 : total;
      expect(got).toEqual(range(0, (last - got[0]!) / 2).map((k) => got[0]! + 2 * k));
    }
    const tail = await collect(readLogs(dir, { tail: 50 }, feed, indexers));
    expect(tail).toEqual(all.slice(-50));
    expect(tail.map((l) => l.stream)).toEqual(tail.map((l) => (seqOf(l) % 2 ? 'stdout' : 'stderr')));
    const from = all.find((l) => seqOf(l) === total - 60)!; // still in the kept files
    const since = await collect(readLogs(dir, { tail: 1000, since: from.ts }, feed, indexers));
    expect(since).toEqual(all.filter((l) => l.ts >= from.ts));
    expect(since.map(seqOf)).toContain(total - 60);
    release();
  }, 30_000);

  it('keeps the records a follower has not read yet, and drops them once it lets go', async () => {
    const feed = new LogRotationFeed();
    indexers = new LogIndexers({ rotations: feed });
    const rotator = new LogRotator(feed, { maxBytes: 4096, keep: 1 });
    const { indexer, release } = await indexers.acquire(dir);
    const letGo = indexer.hold(() => ({ stdout: 0, stderr: 0 })); // a follower still at the start
    const line = (i: number) => `seq ${i} ${'q'.repeat(100)}\n`;
    let i = 0;
    const write = async (n: number) => {
      for (const end = i + n; i < end; ) {
        i++;
        appendFileSync(logFilePath(dir, i % 2 ? 'stdout' : 'stderr'), line(i)); // a record each
        await indexer.catchUp();
      }
      await rotator.rotateDir(dir);
      await indexer.catchUp();
    };
    for (let round = 0; round < 4; round++) await write(80);
    expect(indexer.epoch).toBe(0);
    expect(indexer.count).toBe(i);
    letGo();
    await write(80);
    expect(indexer.epoch).toBe(1);
    expect(indexer.count).toBeLessThanOrEqual(keptNewlines(dir) + 1);
    const tail = await collect(readLogs(dir, { tail: 5 }, feed, indexers));
    expect(tail.map(seqOf)).toEqual(range(i - 4, i));
    release();
  });
});
