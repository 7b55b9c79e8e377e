import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLine } from '@berth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followLogs, logFilePath, readLastLines, readLogs, tailLogs } from './log-files.js';
import { waitForLogLine } from './readiness/wait-for-log-line.js';

async function collect(lines: AsyncIterable<LogLine>) {
  const out: LogLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

describe('log files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-logs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the last lines of a large file from its end', async () => {
    const path = join(dir, 'big.log');
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    expect(await readLastLines(path, 3)).toEqual(lines.slice(-3));
    expect(await readLastLines(path, 10_000)).toEqual(lines.slice(-10_000));
    expect(await readLastLines(path, 0)).toEqual([]);
    expect(await readLastLines(join(dir, 'missing.log'), 5)).toEqual([]);
  });

  it('keeps a last line without a newline, and reads only [start, end)', async () => {
    const path = join(dir, 'x.log');
    writeFileSync(path, 'old\nnew 1\nnew 2');
    expect(await readLastLines(path, 5)).toEqual(['old', 'new 1', 'new 2']);
    expect(await readLastLines(path, 5, { start: 4 })).toEqual(['new 1', 'new 2']);
    expect(await readLastLines(path, 5, { end: 10 })).toEqual(['old', 'new 1']);
  });

  it('tails both streams with their stream and the file time', async () => {
    writeFileSync(logFilePath(dir, 'stdout'), 'a\nb\n');
    writeFileSync(logFilePath(dir, 'stderr'), 'oops\n');
    const lines = await tailLogs(dir, { tail: 10 });
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['a', 'b']);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['oops']);
    expect(await tailLogs(dir, { tail: 10, since: Date.now() + 60_000 })).toEqual([]);
    expect(await tailLogs(dir, { tail: 2 })).toHaveLength(2);
  });

  it('follows appended lines, including a line written in two parts, until aborted', async () => {
    writeFileSync(logFilePath(dir, 'stdout'), 'before\n');
    const ac = new AbortController();
    const seen: LogLine[] = [];
    const done = (async () => {
      for await (const l of followLogs(dir, { signal: ac.signal })) {
        seen.push(l);
        if (seen.length === 3) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(logFilePath(dir, 'stdout'), 'one\ntw');
    appendFileSync(logFilePath(dir, 'stderr'), 'err\n');
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(logFilePath(dir, 'stdout'), 'o\n');
    await done;
    expect(seen.map((l) => `${l.stream}:${l.line}`).sort()).toEqual([
      'stderr:err',
      'stdout:one',
      'stdout:two',
    ]);
  });

  it('continues a tail with a follow, without gap or repeat', async () => {
    writeFileSync(logFilePath(dir, 'stdout'), '1\n2\n');
    const ac = new AbortController();
    const lines = readLogs(dir, { tail: 1, follow: true, signal: ac.signal });
    const seen: string[] = [];
    setTimeout(() => appendFileSync(logFilePath(dir, 'stdout'), '3\n'), 50);
    for await (const l of lines) {
      seen.push(l.line);
      if (l.line === '3') ac.abort();
    }
    expect(seen).toEqual(['2', '3']);
  });

  it('waits for a log line written after the offsets given', async () => {
    writeFileSync(logFilePath(dir, 'stderr'), 'ready from an older run\n');
    const from = { stdout: 0, stderr: 24 };
    setTimeout(() => appendFileSync(logFilePath(dir, 'stderr'), 'server ready on 8080\n'), 30);
    const line = await waitForLogLine(dir, 'ready on \\d+', { timeoutMs: 2_000, from });
    expect(line).toMatchObject({ stream: 'stderr', line: 'server ready on 8080' });
    await expect(waitForLogLine(dir, 'never', { timeoutMs: 100 })).rejects.toThrow(/within 100 ms/);
    const collected = await collect(readLogs(dir, {}));
    expect(collected.map((l) => l.line)).toContain('server ready on 8080');
  });
});
