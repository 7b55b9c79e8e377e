/**
 * The sidecar index of a log directory (`<logDir>/logs.idx`, 0600): when each run of bytes of
 * `stdout.log` / `stderr.log` was first seen, in the order berth saw them.
 *
 * Offsets are logical — bytes ever written to the stream — so they survive rotation: the header
 * holds each stream's `base`, the logical offset of the live file's first byte (the rotator adds
 * what it moves out), and `<file>.1`, `.2`… hold the bytes just before it, newest first.
 * Records are fixed-size, appended in the order seen (the global sequence), each covering whole
 * lines `[start, end)` of one stream first seen between `tsFrom` and `tsTo`; `approximate` marks
 * bytes written while nobody watched (berth down), timed between the last record and the file's
 * mtime.
 * Bounded: after a rotation the indexer drops the records of bytes no file holds any more
 * (compactIndex), so the index holds at most one record per kept line, plus one; readers holding a
 * record position find their place again by byte offset (LogIndexer.epoch).
 */
import { link, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRange } from './log-cursor.js';
import { LOG_STREAMS, type LogStream, logFilePath } from './log-streams.js';
import { PRIVATE_FILE } from './private-files.js';

export const LOG_INDEX_FILE = 'logs.idx';
const MAGIC = 0x31584c42; // "BLX1"
export const INDEX_HEADER_BYTES = 48;
export const INDEX_RECORD_BYTES = 40;

export interface IndexRecord {
  stream: LogStream;
  approximate: boolean;
  start: number;
  end: number;
  tsFrom: number;
  tsTo: number;
}

export interface IndexHeader {
  /** Logical offset of the live file's first byte. */
  base: Record<LogStream, number>;
  /** Logical offset up to which the stream is indexed. */
  end: Record<LogStream, number>;
}

export const indexPath = (logDir: string) => join(logDir, LOG_INDEX_FILE);

const streamSlot = (s: LogStream) => LOG_STREAMS.indexOf(s);
const emptyHeader = (): IndexHeader => ({ base: { stdout: 0, stderr: 0 }, end: { stdout: 0, stderr: 0 } });

export function encodeHeader(h: IndexHeader): Buffer {
  const b = Buffer.alloc(INDEX_HEADER_BYTES);
  b.writeUInt32LE(MAGIC, 0);
  for (const s of LOG_STREAMS) {
    b.writeDoubleLE(h.base[s], 8 + 8 * streamSlot(s));
    b.writeDoubleLE(h.end[s], 24 + 8 * streamSlot(s));
  }
  return b;
}

function decodeHeader(b: Buffer): IndexHeader {
  const h = emptyHeader();
  if (b.length < INDEX_HEADER_BYTES || b.readUInt32LE(0) !== MAGIC) return h;
  for (const s of LOG_STREAMS) {
    h.base[s] = b.readDoubleLE(8 + 8 * streamSlot(s));
    h.end[s] = b.readDoubleLE(24 + 8 * streamSlot(s));
  }
  return h;
}

export function encodeRecord(r: IndexRecord): Buffer {
  const b = Buffer.alloc(INDEX_RECORD_BYTES);
  b.writeUInt8(streamSlot(r.stream), 0);
  b.writeUInt8(r.approximate ? 1 : 0, 1);
  b.writeDoubleLE(r.start, 8);
  b.writeDoubleLE(r.end, 16);
  b.writeDoubleLE(r.tsFrom, 24);
  b.writeDoubleLE(r.tsTo, 32);
  // bytes 2–7 are reserved; the length is checked by the reader
  return b;
}

function decodeRecord(b: Buffer, at: number): IndexRecord {
  return {
    stream: LOG_STREAMS[b.readUInt8(at)] ?? 'stdout',
    approximate: b.readUInt8(at + 1) === 1,
    start: b.readDoubleLE(at + 8),
    end: b.readDoubleLE(at + 16),
    tsFrom: b.readDoubleLE(at + 24),
    tsTo: b.readDoubleLE(at + 32),
  };
}

export async function readIndexHeader(logDir: string): Promise<IndexHeader> {
  return decodeHeader(await readRange(indexPath(logDir), 0, INDEX_HEADER_BYTES));
}

/** Whole records in the index (a record cut by a crash does not count). */
export async function indexRecordCount(logDir: string): Promise<number> {
  const size = await stat(indexPath(logDir)).then(
    (s) => s.size,
    () => 0,
  );
  return Math.max(0, Math.floor((size - INDEX_HEADER_BYTES) / INDEX_RECORD_BYTES));
}

/** Records [from, to). */
export async function readIndexRecords(logDir: string, from: number, to: number): Promise<IndexRecord[]> {
  if (to <= from) return [];
  const at = (i: number) => INDEX_HEADER_BYTES + i * INDEX_RECORD_BYTES;
  const buf = await readRange(indexPath(logDir), at(from), at(to));
  const out: IndexRecord[] = [];
  for (let off = 0; off + INDEX_RECORD_BYTES <= buf.length; off += INDEX_RECORD_BYTES) {
    out.push(decodeRecord(buf, off));
  }
  return out;
}

/**
 * Opens the index for writing. A missing one is created whole (0600, empty header) under a temporary
 * name and linked into place, so the rotator and the indexer can never write into a half-made one.
 */
async function openForWrite(logDir: string) {
  const path = indexPath(logDir);
  try {
    return await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, encodeHeader(emptyHeader()), { mode: PRIVATE_FILE, flag: 'wx' });
  try {
    await link(tmp, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return open(path, 'r+');
}

/**
 * Writes records at record position `at`, then the indexed ends. Only the indexer writes these,
 * and only the rotator writes a base, so neither overwrites the other's field.
 */
export async function writeIndexRecords(
  logDir: string,
  records: IndexRecord[],
  at: number,
  end: Record<LogStream, number>,
): Promise<void> {
  const fh = await openForWrite(logDir);
  try {
    if (records.length > 0) {
      const body = Buffer.concat(records.map(encodeRecord));
      await fh.write(body, 0, body.length, INDEX_HEADER_BYTES + at * INDEX_RECORD_BYTES);
    }
    const ends = Buffer.alloc(16);
    for (const s of LOG_STREAMS) ends.writeDoubleLE(end[s], 8 * streamSlot(s));
    await fh.write(ends, 0, 16, 24);
  } finally {
    await fh.close();
  }
}

/**
 * Sets a stream's base. The rotator calls it (through advanceIndexBase) under the file's lock after
 * it moved bytes of the live file into `<file>.1`: the live file now starts that much further on.
 */
export async function writeIndexBase(logDir: string, stream: LogStream, base: number): Promise<void> {
  const fh = await openForWrite(logDir);
  try {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(base, 0);
    await fh.write(b, 0, 8, 8 + 8 * streamSlot(stream));
  } finally {
    await fh.close();
  }
}

export async function advanceIndexBase(logDir: string, stream: LogStream, moved: number): Promise<void> {
  const h = await readIndexHeader(logDir);
  await writeIndexBase(logDir, stream, h.base[stream] + moved);
}

/**
 * The oldest logical offset of a stream any file still holds: the base less what `<file>.1`, `.2`…
 * hold (as readLogical walks them). Call it under the file's lock.
 */
export async function keptFloor(logDir: string, stream: LogStream, base: number): Promise<number> {
  const sizes = await rotatedSizes(logFilePath(logDir, stream));
  return base - sizes.reduce((a, b) => a + b, 0);
}

const COMPACT_BATCH = 8192;

/**
 * Rewrites the index without the records that cover only bytes below `floor` (no file holds them
 * any more), keeping the order of the others and always the last record (the indexer may still
 * grow it). Written whole under a temporary name (0600, synced) and renamed over, so a crash
 * leaves the old index or the new one. Returns the records kept, or `count` when none could go.
 * The caller holds both streams' locks (so no base is written meanwhile) and is the index's one
 * writer of records.
 */
export async function compactIndex(
  logDir: string,
  count: number,
  floor: Record<LogStream, number>,
  end: Record<LogStream, number>,
): Promise<number> {
  const live = (r: IndexRecord, i: number) => i === count - 1 || r.end > floor[r.stream];
  let dead = 0;
  for (let lo = 0; lo < count; lo += COMPACT_BATCH) {
    const recs = await readIndexRecords(logDir, lo, Math.min(count, lo + COMPACT_BATCH));
    recs.forEach((r, k) => {
      if (!live(r, lo + k)) dead++;
    });
  }
  if (dead === 0) return count;
  const path = indexPath(logDir);
  const header = await readIndexHeader(logDir);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  const fh = await open(tmp, 'wx', PRIVATE_FILE);
  let kept = 0;
  try {
    await fh.write(encodeHeader({ base: header.base, end }), 0, INDEX_HEADER_BYTES, 0);
    for (let lo = 0; lo < count; lo += COMPACT_BATCH) {
      const recs = await readIndexRecords(logDir, lo, Math.min(count, lo + COMPACT_BATCH));
      const body = recs.filter((r, k) => live(r, lo + k)).map(encodeRecord);
      if (body.length === 0) continue;
      const buf = Buffer.concat(body);
      await fh.write(buf, 0, buf.length, INDEX_HEADER_BYTES + kept * INDEX_RECORD_BYTES);
      kept += body.length;
    }
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return kept;
}

/** Sizes of `<file>.1`, `.2`… as far as they exist. */
async function rotatedSizes(path: string): Promise<number[]> {
  const sizes: number[] = [];
  for (let k = 1; ; k++) {
    const size = await stat(`${path}.${k}`).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) return sizes;
    sizes.push(size);
  }
}

/**
 * The bytes of logical range [start, end) of a stream, from the live file and, before its base,
 * from the rotated files; `from` is where they begin, later than `start` when the oldest bytes are
 * no longer kept. Call it under the file's lock.
 */
export async function readLogical(
  logDir: string,
  stream: LogStream,
  base: number,
  start: number,
  end: number,
): Promise<{ bytes: Buffer; from: number }> {
  const path = logFilePath(logDir, stream);
  const parts: Buffer[] = [];
  let from = Math.max(start, base);
  if (start < base) {
    const sizes = await rotatedSizes(path);
    let hi = base;
    for (let k = 0; k < sizes.length && hi > start; k++) {
      const lo = hi - sizes[k]!;
      const a = Math.max(start, lo);
      const b = Math.min(end, hi);
      if (b > a) parts.unshift(await readRange(`${path}.${k + 1}`, a - lo, b - lo));
      if (a < from) from = a;
      hi = lo;
    }
  }
  if (end > base) parts.push(await readRange(path, Math.max(0, start - base), end - base));
  return { bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts), from: Math.min(from, end) };
}
