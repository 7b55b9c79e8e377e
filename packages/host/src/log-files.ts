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

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
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

/** Reads the bytes [offset, end of file) of a file; empty when it does not exist. */
async function readFrom(path: string, offset: number): Promise<Buffer> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = (await fh.stat()).size;
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
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
}

interface Cursor {
  stream: LogStream;
  path: string;
  offset: number;
  partial: Buffer;
}

/** Complete lines appended since the cursor; a cut last line waits for its newline. */
async function advance(c: Cursor): Promise<string[]> {
  if ((await fileSize(c.path)) < c.offset) {
    c.offset = 0; // truncated or rotated: start over
    c.partial = Buffer.alloc(0);
  }
  const fresh = await readFrom(c.path, c.offset);
  if (fresh.length === 0) return [];
  c.offset += fresh.length;
  const data = Buffer.concat([c.partial, fresh]);
  const end = data.lastIndexOf(10);
  c.partial = data.subarray(end + 1);
  return end < 0 ? [] : splitLines(data.subarray(0, end + 1).toString('utf8'));
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

/**
 * Lines appended to the log files from now (or `from`) on, as they arrive, until the signal
 * aborts. Each line's ts is when berth read it.
 */
export async function* followLogs(logDir: string, opts: FollowOptions = {}): AsyncGenerator<LogLine> {
  const { signal } = opts;
  const offsets = await logOffsets(logDir);
  const cursors: Cursor[] = LOG_STREAMS.map((stream) => ({
    stream,
    path: logFilePath(logDir, stream),
    offset: opts.from?.[stream] ?? offsets[stream],
    partial: Buffer.alloc(0),
  }));
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
      for (const c of cursors) {
        for (const line of await advance(c)) {
          if (signal?.aborted) return;
          yield { ts: Date.now(), stream: c.stream, line };
        }
      }
    }
  } finally {
    unwatch();
    signal?.removeEventListener('abort', poke);
  }
}

/** Tail (and, with `follow`, everything after it, without a gap or a repeat) as one stream. */
export async function* readLogs(
  logDir: string,
  query: { tail?: number; since?: number; follow?: boolean; signal?: AbortSignal },
): AsyncGenerator<LogLine> {
  const until = await logOffsets(logDir);
  const tail = query.tail ?? (query.follow ? 100 : 1000);
  if (tail > 0) {
    const opts: TailOptions = { tail, until };
    if (query.since !== undefined) opts.since = query.since;
    yield* await tailLogs(logDir, opts);
  }
  if (!query.follow) return;
  yield* followLogs(logDir, query.signal ? { from: until, signal: query.signal } : { from: until });
}
