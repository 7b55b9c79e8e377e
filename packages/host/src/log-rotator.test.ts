import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogCursor } from './log-cursor.js';
import { logFilePath, readLogs } from './log-files.js';
import { LogRotationFeed } from './log-rotation-feed.js';
import { LogRotator } from './log-rotator.js';

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i} ${'x'.repeat(40)}\n`).join('');

describe('log rotation', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-rotate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('moves a block-aligned head to .1 and keeps the rest, losing and doubling nothing', async () => {
    const path = logFilePath(dir, 'stdout');
    const text = numbered(1, 5000);
    writeFileSync(path, text);
    const rotator = new LogRotator(new LogRotationFeed(), { maxBytes: 64 * 1024, keep: 2 });
    const r = await rotator.rotateIfNeeded(path);
    expect(r?.mode).toBe('collapse');
    expect(r!.movedBytes % 4096).toBe(0);
    const rotated = readFileSync(`${path}.1`, 'utf8');
    expect(rotated.length).toBe(r!.movedBytes);
    expect(rotated + readFileSync(path, 'utf8')).toBe(text);
    expect(await rotator.rotateIfNeeded(path)).toBeUndefined(); // now under the size
  });

  it('keeps at most `keep` rotated files, newest in .1', async () => {
    const path = logFilePath(dir, 'stderr');
    const rotator = new LogRotator(new LogRotationFeed(), { maxBytes: 8192, keep: 2 });
    for (let round = 1; round <= 4; round++) {
      writeFileSync(path, `${String(round).repeat(20_000)}\n`, { flag: 'a' });
      await rotator.rotateIfNeeded(path);
    }
    expect(existsSync(`${path}.1`) && existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    expect(readFileSync(`${path}.1`, 'utf8')).toContain('4');
  });

  it('lets a cursor that had not read the moved bytes take them from .1 first', async () => {
    const path = logFilePath(dir, 'stdout');
    const text = numbered(1, 3000);
    writeFileSync(path, text);
    const feed = new LogRotationFeed();
    const early = new LogCursor(path, 10, feed); // mid-line: the cut line is completed from .1
    const late = new LogCursor(path, text.length - 100, feed);
    await new LogRotator(feed, { maxBytes: 16 * 1024, keep: 3 }).rotateIfNeeded(path);
    writeFileSync(path, numbered(3001, 3002), { flag: 'a' });
    const after = (from: number) => `${text.slice(from)}${numbered(3001, 3002)}`.trimEnd().split('\n');
    expect(await early.advance()).toEqual(after(10));
    expect(await late.advance()).toEqual(after(text.length - 100));
    early.close();
    late.close();
  });

  it('tails across the rotation boundary', async () => {
    const path = logFilePath(dir, 'stdout');
    writeFileSync(path, numbered(1, 2000));
    await new LogRotator(new LogRotationFeed(), { maxBytes: 4096, keep: 1 }).rotateIfNeeded(path);
    const lines: string[] = [];
    for await (const l of readLogs(dir, { tail: 200 })) lines.push(l.line);
    expect(lines).toEqual(numbered(1801, 2000).trimEnd().split('\n'));
  });

  it('a follower of a live process gets every line exactly once while the file is rotated', async () => {
    const path = logFilePath(dir, 'stdout');
    const fd = openSync(path, 'a');
    const feed = new LogRotationFeed();
    const rotator = new LogRotator(feed, { maxBytes: 16 * 1024, keep: 2 });
    const ac = new AbortController();
    const seen: number[] = [];
    const total = 20_000;
    const follow = (async () => {
      for await (const l of readLogs(dir, { tail: 0, follow: true, signal: ac.signal }, feed)) {
        seen.push(Number(l.line.split(' ')[1]));
        if (seen.at(-1) === total) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `let i=0;const t=setInterval(()=>{for(let k=0;k<200&&i<${total};k++)console.log('line '+(++i)+' '+'y'.repeat(60));if(i>=${total})clearInterval(t)},2)`,
      ],
      { stdio: ['ignore', fd, 'inherit'] },
    );
    let rotations = 0;
    const rotating = setInterval(() => {
      void rotator.rotateIfNeeded(path).then((r) => {
        if (r) rotations++;
      });
    }, 5);
    await new Promise((r) => writer.once('exit', r));
    await follow;
    clearInterval(rotating);
    expect(rotations).toBeGreaterThan(3);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it.runIf(existsSync('/dev/shm'))(
    'falls back to copy-then-truncate where collapse-range is unsupported',
    async () => {
      const shm = mkdtempSync('/dev/shm/berth-rotate-');
      try {
        const path = logFilePath(shm, 'stdout');
        const text = numbered(1, 3000);
        writeFileSync(path, text);
        const r = await new LogRotator(new LogRotationFeed(), { maxBytes: 4096, keep: 1 }).rotateIfNeeded(
          path,
        );
        expect(r).toMatchObject({ mode: 'truncate', movedBytes: text.length });
        expect(readFileSync(`${path}.1`, 'utf8')).toBe(text);
        expect(readFileSync(path, 'utf8')).toBe('');
      } finally {
        rmSync(shm, { recursive: true, force: true });
      }
    },
  );

  it.runIf(existsSync('/dev/shm'))(
    'keeps followers in place across a copy-then-truncate rotation',
    async () => {
      const shm = mkdtempSync('/dev/shm/berth-rotate-');
      try {
        const path = logFilePath(shm, 'stdout');
        writeFileSync(path, numbered(1, 100));
        const feed = new LogRotationFeed();
        const behind = new LogCursor(path, 0, feed);
        const caughtUp = new LogCursor(path, 0, feed);
        expect(await caughtUp.advance()).toHaveLength(100);
        await new LogRotator(feed, { maxBytes: 1024, keep: 1 }).rotateIfNeeded(path);
        writeFileSync(path, numbered(101, 102), { flag: 'a' });
        const lines = (from: number, to: number) => numbered(from, to).trimEnd().split('\n');
        expect(await behind.advance()).toEqual(lines(1, 102));
        expect(await caughtUp.advance()).toEqual(lines(101, 102));
        behind.close();
        caughtUp.close();
      } finally {
        rmSync(shm, { recursive: true, force: true });
      }
    },
  );
});
