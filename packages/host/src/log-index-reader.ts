import { stat } from 'node:fs/promises';
import type { LogLine } from '@berth/core';
import { type IndexRecord, readIndexHeader, readIndexRecords, readLogical } from './log-index.js';
import type { LogIndexer } from './log-indexer.js';
import type { LogRotationFeed } from './log-rotation-feed.js';
import { LOG_STREAMS, type LogStream, logFilePath } from './log-streams.js';

const CHUNK = 64 * 1024;
const BATCH = 512;

/** Runs `fn` under the stream file's lock when there is a feed. */
const locked = <T>(
  feed: LogRotationFeed | undefined,
  logDir: string,
  stream: LogStream,
  fn: () => Promise<T>,
) => (feed ? feed.withLock(logFilePath(logDir, stream), fn) : fn());

/** The lines of `buf` (which starts at logical offset `at`), each with the offset just after it. */
function splitWithEnds(buf: Buffer, at: number): { line: string; end: number }[] {
  const out: { line: string; end: number }[] = [];
  let from = 0;
  while (from < buf.length) {
    const nl = buf.indexOf(10, from);
    const stop = nl < 0 ? buf.length : nl;
    let line = buf.subarray(from, stop).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    from = nl < 0 ? buf.length : nl + 1;
    out.push({ line, end: at + from });
  }
  return out;
}

/** A line's time: where its end falls between the record's first and last sighting. */
function timeOf(rec: IndexRecord, end: number): number {
  if (rec.tsTo === rec.tsFrom || rec.end <= rec.start) return Math.round(rec.tsTo);
  const f = Math.min(1, Math.max(0, (end - rec.start) / (rec.end - rec.start)));
  return Math.round(rec.tsFrom + (rec.tsTo - rec.tsFrom) * f);
}

function toLines(rec: IndexRecord, parts: { line: string; end: number }[]): LogLine[] {
  return parts.map((p) => ({
    ts: timeOf(rec, p.end),
    stream: rec.stream,
    line: p.line,
    ...(rec.approximate ? { approximate: true } : {}),
  }));
}

/** Bytes a follower took from `<file>.1` at a rotation, before later rotations could drop them. */
export interface Carried {
  start: number;
  bytes: Buffer;
}

/** Logical [start, end) of a stream: what a follower carried first, then the files. */
async function bytesOf(
  logDir: string,
  stream: LogStream,
  base: number,
  start: number,
  end: number,
  carried: Carried | undefined,
): Promise<{ bytes: Buffer; from: number }> {
  const cEnd = carried ? carried.start + carried.bytes.length : 0;
  if (!carried || start < carried.start || start >= cEnd)
    return readLogical(logDir, stream, base, start, end);
  const head = carried.bytes.subarray(start - carried.start, Math.min(end, cEnd) - carried.start);
  if (end <= cEnd) return { bytes: head, from: start };
  const rest = await readLogical(logDir, stream, base, cEnd, end);
  return { bytes: Buffer.concat([head, rest.bytes]), from: start };
}

/**
 * The lines of a record from logical offset `from` on; with `max`, only its last `max` lines,
 * read backwards so a huge record costs only what those lines take.
 */
export async function recordLines(
  logDir: string,
  rec: IndexRecord,
  opts: {
    from?: number;
    max?: number;
    rotations?: LogRotationFeed | undefined;
    /** Read under the lock: a rotation may add to it until then. */
    carried?: () => Carried | undefined;
  } = {},
): Promise<LogLine[]> {
  return locked(opts.rotations, logDir, rec.stream, async () => {
    const base = (await readIndexHeader(logDir)).base[rec.stream];
    const carried = opts.carried?.();
    const start = Math.max(rec.start, opts.from ?? rec.start);
    if (opts.max === undefined) {
      const got = await bytesOf(logDir, rec.stream, base, start, rec.end, carried);
      const parts = splitWithEnds(got.bytes, got.from);
      if (got.from > start) parts.shift(); // the front is no longer kept: its first line is cut
      return toLines(rec, parts);
    }
    let pos = rec.end;
    const chunks: Buffer[] = [];
    let newlines = 0;
    let cut = false;
    while (pos > start && newlines <= opts.max) {
      const size = Math.min(CHUNK, pos - start);
      const got = await bytesOf(logDir, rec.stream, base, pos - size, pos, carried);
      chunks.unshift(got.bytes);
      for (let i = got.bytes.indexOf(10); i >= 0; i = got.bytes.indexOf(10, i + 1)) newlines++;
      cut = got.from > pos - size;
      pos = got.from;
      if (cut) break;
    }
    const parts = splitWithEnds(Buffer.concat(chunks), pos);
    if (pos > start) parts.shift(); // cut at the front
    return toLines(rec, parts.slice(-opts.max));
  });
}

/**
 * The last `n` lines across both streams in the order written, only those at or after `since`,
 * walking the index backwards from record `count` — it reads only the records and bytes it needs.
 */
export async function tailFromIndex(
  logDir: string,
  count: number,
  n: number,
  since: number | undefined,
  rotations: LogRotationFeed | undefined,
  /** Indexed ends when `count` was taken: a record that grew since is read only up to them. */
  ends?: Record<LogStream, number>,
): Promise<LogLine[]> {
  if (n <= 0) return [];
  const got: LogLine[][] = [];
  let have = 0;
  let oldest = Number.POSITIVE_INFINITY;
  let hi = count;
  outer: while (hi > 0) {
    const lo = Math.max(0, hi - BATCH);
    const recs = await readIndexRecords(logDir, lo, hi);
    for (let i = recs.length - 1; i >= 0; i--) {
      const found = recs[i]!;
      const rec = ends ? { ...found, end: Math.min(found.end, ends[found.stream]) } : found;
      // (line times are rounded to the millisecond, record times are not)
      if (since !== undefined && rec.tsTo < since - 1) break outer;
      // Enough lines, and no older record can hold a later line (approximate ones overlap).
      if (have >= n && rec.tsTo < oldest) break outer;
      const lines = await recordLines(logDir, rec, { max: n, rotations });
      got.push(lines);
      have += lines.length;
      if (lines[0]) oldest = Math.min(oldest, lines[0].ts);
    }
    hi = lo;
  }
  const all = got.reverse().flat();
  // Stable: records stay in the order seen; approximate lines find their place by time.
  if (all.some((l) => l.approximate)) all.sort((a, b) => a.ts - b.ts);
  const kept = since === undefined ? all : all.filter((l) => l.ts >= since);
  return kept.slice(-n);
}

/**
 * A last line still without its newline (past the indexed end), as an approximate line timed by
 * the file's mtime, for reads that do not follow. Whole lines past the end were written after the
 * read began: the next read has them, indexed.
 */
export async function unindexedLines(
  logDir: string,
  indexer: LogIndexer,
  rotations: LogRotationFeed | undefined,
): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for (const stream of LOG_STREAMS) {
    const path = logFilePath(logDir, stream);
    const st = await stat(path).catch(() => undefined);
    if (!st) continue;
    const base = (await readIndexHeader(logDir)).base[stream];
    const start = indexer.end[stream];
    const end = base + st.size;
    if (end <= start || end - start > 64 * 1024) continue;
    const bytes = await locked(rotations, logDir, stream, async () => {
      const b = (await readIndexHeader(logDir)).base[stream];
      return (await readLogical(logDir, stream, b, start, end)).bytes;
    });
    if (bytes.length === 0 || bytes.includes(10)) continue;
    out.push({ ts: Math.round(st.mtimeMs), stream, line: bytes.toString('utf8'), approximate: true });
  }
  return out;
}
