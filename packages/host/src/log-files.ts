/**
 * Per-instance log files of native processes.
 *
 * Layout: `<logDir>/stdout.log` and `<logDir>/stderr.log`, which the process writes straight into
 * (files opened in append mode, not pipes, so it outlives berth), and `logs.idx`, where berth's
 * LogIndexer records when each run of lines was first seen (see log-index.ts). Reads go through
 * the index: every line carries the time it was written (within a second while berth runs;
 * `approximate` for lines written while it was down), both streams come back in the order they
 * were written, `tail` is the last lines across both and `since` only the lines after it.
 */
import { watch } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { LogLine } from '@berth/core';
import { LogCursor, splitLines } from './log-cursor.js';
import { readIndexHeader, readIndexRecords, readLogical } from './log-index.js';
import { type Carried, recordLines, tailFromIndex, unindexedLines } from './log-index-reader.js';
import { type LogIndexer, LogIndexers } from './log-indexer.js';
import type { LogRotation, LogRotationFeed } from './log-rotation-feed.js';
import { LOG_STREAMS, type LogStream, logFilePath } from './log-streams.js';

export { LOG_STREAMS, type LogStream, logFilePath };

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
}

/** The last lines of both streams in the order written (see readLogs). */
export async function tailLogs(
  logDir: string,
  opts: TailOptions = {},
  rotations?: LogRotationFeed,
  indexers?: LogIndexers,
): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of readLogs(logDir, { ...opts, follow: false }, rotations, indexers)) out.push(l);
  return out;
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

/**
 * Tail (and, with `follow`, every line indexed after it, without a gap or a repeat) as one stream,
 * both files in the order written, each line with its time from the index. `indexers` is the
 * server's registry (a private one when absent, which indexes only while this read lasts).
 */
export async function* readLogs(
  logDir: string,
  query: ReadLogsQuery,
  rotations?: LogRotationFeed,
  indexers?: LogIndexers,
): AsyncGenerator<LogLine> {
  const { indexer, release } = await (indexers ?? new LogIndexers({ rotations })).acquire(logDir);
  // Listening to rotations before the index is read, so nothing moved out meanwhile is missed.
  const follower = query.follow ? new IndexFollower(indexer, rotations) : undefined;
  try {
    await indexer.catchUp();
    const n = query.tail ?? (query.follow ? 100 : 1000);
    const lines = await indexer.exclusive(async () => {
      const ends = { ...indexer.end };
      follower?.begin(indexer.count, ends);
      const tail = await tailFromIndex(logDir, indexer.count, n, query.since, rotations, ends);
      if (query.follow) return tail;
      const rest = (await unindexedLines(logDir, indexer, rotations)).filter(
        (l) => query.since === undefined || l.ts >= query.since,
      );
      return rest.length > 0 ? [...tail, ...rest].slice(-n) : tail;
    });
    await follower?.start();
    yield* lines;
    if (follower) yield* follower.lines(query.signal);
  } finally {
    follower?.close();
    release();
  }
}

/**
 * Reads the records the indexer adds after record `pos` (the last one may still grow) and their
 * lines, in order. Like LogCursor, it takes the bytes it has not read yet from `<file>.1` when a
 * rotation moves them out, so later rotations cannot drop them before it reads them.
 */
class IndexFollower {
  private readonly carried: Partial<Record<LogStream, Carried>> = {};
  private readonly unsubscribe: (() => void)[] = [];
  private pos = 0;
  /** The indexer's epoch `pos` belongs to. */
  private epoch = 0;
  private emitted: Record<LogStream, number> | undefined;

  constructor(
    private readonly indexer: LogIndexer,
    private readonly rotations: LogRotationFeed | undefined,
  ) {
    for (const stream of LOG_STREAMS) {
      const unsub = rotations?.subscribe(logFilePath(indexer.logDir, stream), (r) =>
        this.onRotation(stream, r),
      );
      if (unsub) this.unsubscribe.push(unsub);
    }
    this.unsubscribe.push(indexer.hold(() => this.emitted));
  }

  /** Where the tail ended: record `count`, and each stream's indexed end. */
  begin(count: number, ends: Record<LogStream, number>): void {
    this.pos = count;
    this.epoch = this.indexer.epoch;
    this.emitted = { ...ends };
  }

  /**
   * After a compaction moved the records: the position just past the first record not read to its
   * end, found by byte offset walking back (a stream's records end further on the later they are).
   */
  private async refind(): Promise<number> {
    const { indexer } = this;
    const emitted = this.emitted!;
    const done: Record<LogStream, boolean> = { stdout: false, stderr: false };
    let first = indexer.count;
    for (let hi = indexer.count; hi > 0; ) {
      const lo = Math.max(0, hi - 512);
      const recs = await readIndexRecords(indexer.logDir, lo, hi);
      for (let i = recs.length - 1; i >= 0; i--) {
        const r = recs[i]!;
        if (r.end > emitted[r.stream]) first = lo + i;
        else done[r.stream] = true;
        if (done.stdout && done.stderr) return first + 1;
      }
      hi = lo;
    }
    return first + 1;
  }

  /**
   * Keeps only what was carried after the tail's end, and takes what is already rotated out but
   * not read yet (the index may lag behind a rotation).
   */
  async start(): Promise<void> {
    const { logDir } = this.indexer;
    const emitted = this.emitted!;
    for (const stream of LOG_STREAMS) {
      const take = async () => {
        const base = (await readIndexHeader(logDir)).base[stream];
        const c = this.carried[stream];
        const at = emitted[stream];
        if (c && c.start <= at) {
          const skip = at - c.start;
          if (skip >= c.bytes.length) delete this.carried[stream];
          else this.carried[stream] = { start: at, bytes: c.bytes.subarray(skip) };
          return;
        }
        const upTo = c ? c.start : base;
        if (at >= upTo) return;
        const got = await readLogical(logDir, stream, base, at, upTo);
        const rest = c ? c.bytes : Buffer.alloc(0);
        this.carried[stream] = { start: got.from, bytes: Buffer.concat([got.bytes, rest]) };
      };
      await (this.rotations ? this.rotations.withLock(logFilePath(logDir, stream), take) : take());
    }
  }

  /** Runs under the file's lock, after the rotator moved the bytes and advanced the base. */
  private async onRotation(stream: LogStream, r: LogRotation): Promise<void> {
    const { logDir } = this.indexer;
    const base = (await readIndexHeader(logDir)).base[stream];
    const c = this.carried[stream];
    const have = c ? c.start + c.bytes.length : (this.emitted?.[stream] ?? base - r.movedBytes);
    if (have >= base) return;
    // Everything not read yet that is no longer in the live file (mostly just moved to `.1`).
    const got = await readLogical(logDir, stream, base, have, base);
    this.carried[stream] =
      c && got.from === have
        ? { start: c.start, bytes: Buffer.concat([c.bytes, got.bytes]) }
        : { start: got.from, bytes: got.bytes };
  }

  private async next(): Promise<LogLine[]> {
    const { indexer } = this;
    const emitted = this.emitted!;
    if (this.epoch !== indexer.epoch) {
      this.pos = await this.refind();
      this.epoch = indexer.epoch;
    }
    const recs = await readIndexRecords(indexer.logDir, Math.max(0, this.pos - 1), indexer.count);
    this.pos = indexer.count;
    const out: LogLine[] = [];
    for (const rec of recs) {
      const s = rec.stream;
      if (rec.end <= emitted[s]) continue;
      out.push(
        ...(await recordLines(indexer.logDir, rec, {
          from: emitted[s],
          rotations: this.rotations,
          carried: () => this.carried[s],
        })),
      );
      emitted[s] = rec.end;
      const now = this.carried[s]; // a rotation may have added to it meanwhile
      if (now) {
        const drop = rec.end - now.start;
        if (drop >= now.bytes.length) delete this.carried[s];
        else if (drop > 0) this.carried[s] = { start: rec.end, bytes: now.bytes.subarray(drop) };
      }
    }
    return out;
  }

  async *lines(signal: AbortSignal | undefined): AsyncGenerator<LogLine> {
    let dirty = true;
    let wake: (() => void) | undefined;
    const poke = () => {
      dirty = true;
      wake?.();
    };
    const unsubscribe = this.indexer.onIndexed(poke);
    signal?.addEventListener('abort', poke, { once: true });
    try {
      while (!signal?.aborted) {
        if (!dirty) await new Promise<void>((r) => (wake = r));
        wake = undefined;
        dirty = false;
        const lines = await this.indexer.exclusive(() => this.next());
        for (const line of lines) {
          if (signal?.aborted) return;
          yield line;
        }
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', poke);
    }
  }

  close(): void {
    for (const u of this.unsubscribe) u();
  }
}
