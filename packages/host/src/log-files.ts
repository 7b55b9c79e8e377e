/**
 * Per-instance log files of native processes.
 *
 * Layout: `<logDir>/stdout.log` and `<logDir>/stderr.log`. The process writes raw bytes straight
 * into them (files opened in append mode, not pipes, so it outlives berth), which means berth
 * cannot stamp each line when it is written. Timestamps are therefore:
 * - for lines berth reads while following: the time berth read them (within ~250 ms of the write);
 * - for lines read back from the file (tail, since): the file's mtime — the time of the newest
 *   write, an upper bound for every line in it. `since` keeps a stream's lines when its file was
 *   written at or after `since`.
 * The stream is known from the file, so stdout and stderr lines keep their stream.
 */
import { watch } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine } from '@berth/core';
import { LogCursor, readRange, splitLines } from './log-cursor.js';
import type { LogRotationFeed } from './log-rotation-feed.js';

export type LogStream = 'stdout' | 'stderr';
export const LOG_STREAMS: readonly LogStream[] = ['stdout', 'stderr'];

export function logFilePath(logDir: string, stream: LogStream): string {
  return join(logDir, `${stream}.log`);
}

const CHUNK = 64 * 1024;

/** Size in bytes, or 0 when the file does not exist. */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Current sizes of both streams' files: where a follow starting now begins. */
export async function logOffsets(logDir: string): Promise<Record<LogStream, number>> {
  const [stdout, stderr] = await Promise.all(LOG_STREAMS.map((s) => fileSize(logFilePath(logDir, s))));
  return { stdout: stdout ?? 0, stderr: stderr ?? 0 };
}

const countNewlines = (b: Buffer) => {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
};

/**
 * The last `n` lines of the bytes [start, end) of a file, read backwards in 64 KiB chunks so a
 * large log costs only what the lines take. [] when the file does not exist.
 */
export async function readLastLines(path: string, n: number, range: { start?: number; end?: number } = {}) {
  if (n <= 0) return [];
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch {
    return [];
  }
  try {
    const start = range.start ?? 0;
    let pos = range.end ?? (await fh.stat()).size;
    const chunks: Buffer[] = [];
    let newlines = 0;
    while (pos > start && newlines <= n) {
      const size = Math.min(CHUNK, pos - start);
      pos -= size;
      const buf = Buffer.alloc(size);
      const { bytesRead } = await fh.read(buf, 0, size, pos);
      const chunk = buf.subarray(0, bytesRead);
      chunks.unshift(chunk);
      newlines += countNewlines(chunk);
    }
    const lines = splitLines(Buffer.concat(chunks).toString('utf8'));
    // Unless we reached the start, the first line may be cut: drop it.
    if (pos > start) lines.shift();
    return lines.slice(-n);
  } finally {
    await fh.close();
  }
}

export interface TailOptions {
  /** Lines to return, both streams together (default 1000). */
  tail?: number;
  since?: number;
  /** Read each file only up to these offsets (so a follow can continue without gap or repeat). */
  until?: Partial<Record<LogStream, number>>;
}

/** The last lines of both streams, oldest first; each line's ts is its file's mtime. */
export async function tailLogs(logDir: string, opts: TailOptions = {}): Promise<LogLine[]> {
  const n = opts.tail ?? 1000;
  const perStream = await Promise.all(
    LOG_STREAMS.map(async (stream) => {
      const path = logFilePath(logDir, stream);
      const mtime = await stat(path).then(
        (s) => s.mtimeMs,
        () => undefined,
      );
      if (mtime === undefined || (opts.since !== undefined && mtime < opts.since)) return [];
      const end = opts.until?.[stream];
      const lines = await readLastLines(path, n, end === undefined ? {} : { end });
      return lines.map((line): LogLine => ({ ts: Math.round(mtime), stream, line }));
    }),
  );
  // Without per-line times, the stream written last goes last; the sort is stable within a stream.
  return perStream
    .flat()
    .sort((a, b) => a.ts - b.ts)
    .slice(-n);
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Where to start in each file; defaults to the current end. */
  from?: Partial<Record<LogStream, number>>;
  /** Polling interval, a fallback for when fs.watch misses an event or is unavailable. */
  pollMs?: number;
  /** Shared with the log rotator so a follow keeps its place across rotations. */
  rotations?: LogRotationFeed;
}

/** Watches `dir` for changes, calling `onChange`; returns a function that stops watching. */
function watchDir(dir: string, onChange: () => void, pollMs: number): () => void {
  const timer = setInterval(onChange, pollMs);
  let watcher: ReturnType<typeof watch> | undefined;
  try {
    watcher = watch(dir, { persistent: false }, onChange);
    watcher.on('error', () => undefined);
  } catch {
    // no inotify (or the directory is missing): polling alone
  }
  return () => {
    clearInterval(timer);
    watcher?.close();
  };
}

type Cursors = { stream: LogStream; cursor: LogCursor }[];

/** Lines from the cursors as they arrive, until the signal aborts; closes the cursors. */
async function* followCursors(
  logDir: string,
  cursors: Cursors,
  opts: Pick<FollowOptions, 'signal' | 'pollMs'>,
): AsyncGenerator<LogLine> {
  const { signal } = opts;
  let dirty = true;
  let wake: (() => void) | undefined;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  const unwatch = watchDir(logDir, poke, opts.pollMs ?? 250);
  signal?.addEventListener('abort', poke, { once: true });
  try {
    while (!signal?.aborted) {
      if (!dirty) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      dirty = false;
      for (const { stream, cursor } of cursors) {
        for (const line of await cursor.advance()) {
          if (signal?.aborted) return;
          yield { ts: Date.now(), stream, line };
        }
      }
    }
  } finally {
    unwatch();
    signal?.removeEventListener('abort', poke);
    for (const { cursor } of cursors) cursor.close();
  }
}

/**
 * Lines appended to the log files from now (or `from`) on, as they arrive, until the signal
 * aborts. Each line's ts is when berth read it.
 */
export async function* followLogs(logDir: string, opts: FollowOptions = {}): AsyncGenerator<LogLine> {
  const cursors: Cursors = [];
  for (const stream of LOG_STREAMS) {
    const path = logFilePath(logDir, stream);
    const at = async () => opts.from?.[stream] ?? (await fileSize(path));
    const offset = opts.rotations ? await opts.rotations.withLock(path, at) : await at();
    cursors.push({ stream, cursor: new LogCursor(path, offset, opts.rotations) });
  }
  yield* followCursors(logDir, cursors, opts);
}

export interface ReadLogsQuery {
  tail?: number;
  since?: number;
  follow?: boolean;
  signal?: AbortSignal;
}

/** Up to `n` last lines of a stream ending at `end`, reaching into `<file>.1` when the live file has fewer. */
async function lastLinesAcrossRotation(path: string, n: number, end: number): Promise<TimedLines> {
  const live = await readLastLines(path, n, { end });
  const liveTs = await mtimeOf(path);
  const fromLive = { lines: live, ts: live.map(() => liveTs ?? 0) };
  if (live.length >= n) return fromLive;
  const rotated = `${path}.1`;
  const olderTs = await mtimeOf(rotated);
  if (olderTs === undefined) return fromLive;
  const older = await readLastLines(rotated, n - live.length + 1);
  const cut = !(await endsWithNewline(rotated));
  if (cut && older.length > 0 && live.length > 0) live[0] = `${older.pop()}${live[0]}`;
  const kept = older.slice(-(n - live.length));
  return { lines: [...kept, ...live], ts: [...kept.map(() => olderTs), ...fromLive.ts] };
}

interface TimedLines {
  lines: string[];
  ts: number[];
}

/**
 * One stream's tail and a cursor right after it, taken together under the file's lock so a
 * rotation cannot fall between them.
 */
async function tailWithCursor(
  logDir: string,
  stream: LogStream,
  query: ReadLogsQuery,
  rotations: LogRotationFeed | undefined,
): Promise<{ lines: LogLine[]; cursor: LogCursor | undefined }> {
  const path = logFilePath(logDir, stream);
  const take = async () => {
    const end = await fileSize(path);
    const n = query.tail ?? (query.follow ? 100 : 1000);
    const found = n > 0 ? await lastLinesAcrossRotation(path, n, end) : { lines: [], ts: [] };
    const lines = found.lines
      .map((line, i): LogLine => ({ ts: Math.round(found.ts[i] ?? 0), stream, line }))
      .filter((l) => query.since === undefined || l.ts >= query.since);
    return { lines, cursor: query.follow ? new LogCursor(path, end, rotations) : undefined };
  };
  return rotations ? rotations.withLock(path, take) : take();
}

/** Tail (and, with `follow`, everything after it, without a gap or a repeat) as one stream. */
export async function* readLogs(
  logDir: string,
  query: ReadLogsQuery,
  rotations?: LogRotationFeed,
): AsyncGenerator<LogLine> {
  const parts = await Promise.all(LOG_STREAMS.map((s) => tailWithCursor(logDir, s, query, rotations)));
  const n = query.tail ?? (query.follow ? 100 : 1000);
  // Without per-line times, the stream written last goes last; the sort is stable within a stream.
  const tail = parts
    .flatMap((p) => p.lines)
    .sort((a, b) => a.ts - b.ts)
    .slice(-n);
  const cursors: Cursors = [];
  parts.forEach((p, i) => {
    if (p.cursor) cursors.push({ stream: LOG_STREAMS[i]!, cursor: p.cursor });
  });
  try {
    if (n > 0) yield* tail;
    if (query.follow) yield* followCursors(logDir, cursors, query.signal ? { signal: query.signal } : {});
  } finally {
    for (const { cursor } of cursors) cursor.close();
  }
}

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function endsWithNewline(path: string): Promise<boolean> {
  const size = await fileSize(path);
  if (size === 0) return true;
  const last = await readRange(path, size - 1, size);
  return last[0] === 10;
}
