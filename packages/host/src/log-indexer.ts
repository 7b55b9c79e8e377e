import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  compactIndex,
  type IndexRecord,
  indexRecordCount,
  keptFloor,
  readIndexHeader,
  readIndexRecords,
  readLogical,
  writeIndexBase,
  writeIndexRecords,
} from './log-index.js';
import type { LogRotationFeed } from './log-rotation-feed.js';
import { LOG_STREAMS, type LogStream, logFilePath } from './log-streams.js';

/** A record keeps growing while its stream goes on alone for up to this long. */
const COALESCE_MS = 1000;
/** Looked at for the last newline of what arrived; a longer line without one waits… */
const NEWLINE_WINDOW = 64 * 1024;
/** …until this much has piled up, which is indexed as it is. */
const FORCE_CUT = 1024 * 1024;

export interface LogIndexerOptions {
  rotations?: LogRotationFeed | undefined;
  /** Safety-net poll when the directory watch works (and the interval when it does not). */
  pollMs?: number;
  /**
   * The safety-net poll's interval while the directory watch works, asked again before each poll
   * (LogIndexers spreads it with the number of directories); default 30 s. `pollMs` wins.
   */
  safetyNetMs?: () => number;
  clock?: () => number;
}

interface Grown {
  stream: LogStream;
  start: number;
  end: number;
  mtime: number;
  /** When the file was made (ctime where the filesystem does not say): nothing in it is older. */
  birth: number;
}

/**
 * Follows the two log files of one directory and records, in `logs.idx`, when each run of whole
 * lines was first seen, in the order seen (see log-index.ts). It reads only the tail of what
 * arrived (to find the last newline), so its cost does not grow with the volume of output.
 * The first pass after it opens marks what is already there and not yet indexed (written while
 * berth was down) as approximate, timed between the last record and the file's mtime.
 */
export class LogIndexer {
  private chain: Promise<unknown> = Promise.resolve();
  private queued = false;
  private live = false;
  private closed = false;
  /** When the last pass began looking: lines found by the next one were written after it. */
  private lastLook = 0;
  /** Size, mtime and inode of each file at the last look. */
  private readonly seen: Partial<Record<LogStream, string>> = {};
  private readonly listeners = new Set<() => void>();
  private stopWatch: (() => void) | undefined;
  private readonly clock: () => number;
  /** A file changed since the last look: a rotation may have dropped bytes the index covers. */
  private changed = false;
  /** The bases at the last compaction check. */
  private compactedAt: string | undefined;
  /** Where each reader still reading records is: their records are kept until they read them. */
  private readonly holders = new Set<() => Record<LogStream, number> | undefined>();
  /**
   * Bumped when a compaction moved records: record positions taken before it are no longer good
   * (byte offsets are); readers then find their place again by offset.
   */
  epoch = 0;

  private constructor(
    readonly logDir: string,
    private readonly opts: LogIndexerOptions,
    /** Records in the file. */
    public count: number,
    /** The last record (it may still grow). */
    private last: IndexRecord | undefined,
    /** Logical offset up to which each stream is indexed. */
    readonly end: Record<LogStream, number>,
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  static async open(logDir: string, opts: LogIndexerOptions = {}): Promise<LogIndexer> {
    const header = await readIndexHeader(logDir);
    const count = await indexRecordCount(logDir);
    const last = count > 0 ? (await readIndexRecords(logDir, count - 1, count))[0] : undefined;
    const end = { ...header.end };
    // A crash between a record and the header: the record knows better.
    if (last && last.end > end[last.stream]) end[last.stream] = last.end;
    return new LogIndexer(logDir, opts, count, last, end);
  }

  /** Watches the directory (and polls as a safety net) until close(). */
  watch(): this {
    if (this.stopWatch) return this;
    const poke = () => void this.catchUp().catch(() => undefined);
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(this.logDir, { persistent: false }, (_e, name) => {
        if (name === null || name === 'stdout.log' || name === 'stderr.log') poke();
      });
      watcher.on('error', () => undefined);
    } catch {
      // no inotify (or no directory yet): polling alone
    }
    // inotify reports every write; the poll only backs it up (and keeps the idle cost low).
    const { pollMs, safetyNetMs } = this.opts;
    const every = () => pollMs ?? (watcher ? (safetyNetMs?.() ?? 30_000) : 250);
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      timer = setTimeout(() => {
        poke();
        arm();
      }, every());
      timer.unref?.();
    };
    arm();
    this.stopWatch = () => {
      clearTimeout(timer);
      watcher?.close();
    };
    poke();
    return this;
  }

  close(): void {
    this.closed = true;
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  /** Calls `fn` after every pass that indexed something; returns the unsubscribe. */
  onIndexed(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Keeps the records past the offsets `where` returns (a follower's place) through compactions,
   * so bytes it carried out of a dropped file still have their records; returns the release.
   */
  hold(where: () => Record<LogStream, number> | undefined): () => void {
    this.holders.add(where);
    return () => this.holders.delete(where);
  }

  /** Runs `fn` between passes, so the records it reads are not being written. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Indexes what was appended since the last pass; resolves when it is in the index. */
  catchUp(): Promise<void> {
    if (this.queued) return this.chain.then(() => undefined);
    this.queued = true;
    return this.exclusive(async () => {
      this.queued = false;
      await this.pass();
    });
  }

  private async pass(): Promise<void> {
    if (this.closed) return;
    const looked = this.clock();
    const grown: Grown[] = [];
    for (const stream of LOG_STREAMS) {
      const path = logFilePath(this.logDir, stream);
      const look = () => this.grownOf(stream);
      const g = this.opts.rotations ? await this.opts.rotations.withLock(path, look) : await look();
      if (g) grown.push(g);
    }
    // Taken after looking: every byte found was written before this moment.
    const now = this.clock();
    const since = this.lastLook;
    this.lastLook = looked;
    if (grown.length === 0) {
      this.live = true;
      await this.compactIfRotated();
      return;
    }
    // Both streams grew in one pass: the one whose file was written first goes first.
    grown.sort((a, b) => a.mtime - b.mtime);
    const records: IndexRecord[] = [];
    let at = this.count;
    // What was written unseen by both streams spans the same time: from the last record on.
    const knownTs = this.last?.tsTo ?? 0;
    for (const g of grown) {
      const prevTs = this.last?.tsTo ?? 0;
      let rec: IndexRecord;
      if (!this.live) {
        const to = Math.max(prevTs, Math.min(now, g.mtime));
        const from = knownTs || Math.min(to, g.birth);
        rec = {
          stream: g.stream,
          approximate: true,
          start: g.start,
          end: g.end,
          tsFrom: from,
          tsTo: to,
        };
      } else {
        // The file's mtime is when its last line was written; the others came after the last look.
        const ts = Math.max(prevTs, Math.min(now, g.mtime));
        const from = Math.max(prevTs, Math.min(since, ts));
        const l = this.last;
        if (
          records.length === 0 &&
          l &&
          !l.approximate &&
          l.stream === g.stream &&
          l.end === g.start &&
          ts - l.tsFrom < COALESCE_MS
        ) {
          rec = { ...l, end: g.end, tsTo: ts };
          at = this.count - 1;
        } else {
          rec = { stream: g.stream, approximate: false, start: g.start, end: g.end, tsFrom: from, tsTo: ts };
        }
      }
      records.push(rec);
      this.last = rec;
      this.end[g.stream] = g.end;
    }
    await writeIndexRecords(this.logDir, records, at, this.end);
    this.count = at + records.length;
    this.live = true;
    await this.compactIfRotated();
    for (const fn of this.listeners) fn();
  }

  /**
   * After a rotation (a base moved), drops the records of bytes no file holds any more, so the
   * index stays proportional to the lines the kept files hold. Under both files' locks, so no
   * rotation writes a base into the index being replaced; a failure leaves the old index.
   */
  private async compactIfRotated(): Promise<void> {
    if (!this.changed) return;
    this.changed = false;
    // Fewer than two records: nothing to drop (and no need to read the header to know it).
    if (this.count < 2) return;
    const { base } = await readIndexHeader(this.logDir);
    const at = `${base.stdout}:${base.stderr}`;
    if (at === this.compactedAt) return;
    this.compactedAt = at;
    const run = async () => {
      const h = await readIndexHeader(this.logDir);
      const floor = { ...h.base };
      for (const s of LOG_STREAMS) floor[s] = await keptFloor(this.logDir, s, h.base[s]);
      for (const where of this.holders) {
        const held = where();
        if (held) for (const s of LOG_STREAMS) floor[s] = Math.min(floor[s], held[s]);
      }
      const kept = await compactIndex(this.logDir, this.count, floor, this.end);
      if (kept === this.count) return;
      this.count = kept;
      this.epoch++;
    };
    const feed = this.opts.rotations;
    const [out, err] = LOG_STREAMS.map((s) => logFilePath(this.logDir, s)) as [string, string];
    await (feed ? feed.withLock(out, () => feed.withLock(err, run)) : run()).catch(() => undefined);
  }

  /** Whole lines appended to a stream since it was last indexed (under the file's lock). */
  private async grownOf(stream: LogStream): Promise<Grown | undefined> {
    const path = logFilePath(this.logDir, stream);
    const st = await stat(path).catch(() => undefined);
    if (!st) return undefined;
    // Unchanged since the last look: nothing to read (not even the header).
    const seen = `${st.size}:${st.mtimeMs}:${st.ino}`;
    if (this.seen[stream] === seen) return undefined;
    this.seen[stream] = seen;
    this.changed = true;
    let { base } = await readIndexHeader(this.logDir).then((h) => ({ base: h.base[stream] }));
    const start = this.end[stream];
    if (st.size < start - base) {
      // Truncated by someone else: what is there now comes after what was indexed.
      base = start;
      await writeIndexBase(this.logDir, stream, base);
    }
    const top = base + st.size;
    if (top <= start) return undefined;
    const from = Math.max(start, top - NEWLINE_WINDOW);
    const tail = await readLogical(this.logDir, stream, base, from, top);
    const nl = tail.bytes.lastIndexOf(10);
    let end: number;
    if (nl >= 0) end = tail.from + nl + 1;
    else if (top - start >= FORCE_CUT) end = top;
    else return undefined;
    return { stream, start, end, mtime: st.mtimeMs, birth: st.birthtimeMs || st.ctimeMs };
  }
}

/** See LogIndexers: at most 50 safety-net polls a second, whatever the number of directories. */
const SAFETY_NET_MS_PER_DIR = 20;

/**
 * One indexer per log directory for the whole server, shared by the runtime (which keeps the
 * directories of running processes indexed) and by readers, counted by reference.
 */
export class LogIndexers {
  private readonly open = new Map<string, { indexer: Promise<LogIndexer>; refs: number }>();
  private readonly opts: LogIndexerOptions;

  /**
   * Each directory's safety-net poll comes every 30 s, or every SAFETY_NET_MS_PER_DIR × the
   * directories indexed when that is longer: 10,000 running processes polled every 30 s were
   * ~330 looks (two stats each) a second; inotify reports their writes anyway.
   */
  constructor(opts: LogIndexerOptions = {}) {
    this.opts = {
      safetyNetMs: () => Math.max(30_000, this.open.size * SAFETY_NET_MS_PER_DIR),
      ...opts,
    };
  }

  async acquire(logDir: string): Promise<{ indexer: LogIndexer; release: () => void }> {
    let entry = this.open.get(logDir);
    if (!entry) {
      // Ready once what is already there is indexed: whatever is written after acquire() is live.
      const indexer = LogIndexer.open(logDir, this.opts).then(async (i) => {
        await i.watch().catchUp();
        return i;
      });
      entry = { indexer, refs: 0 };
      this.open.set(logDir, entry);
      indexer.catch(() => {
        if (this.open.get(logDir) === entry) this.open.delete(logDir);
      });
    }
    entry.refs++;
    const held = entry;
    let indexer: LogIndexer;
    try {
      indexer = await held.indexer;
    } catch (err) {
      held.refs--;
      throw err;
    }
    let released = false;
    return {
      indexer,
      release: () => {
        if (released) return;
        released = true;
        if (--held.refs > 0 || this.open.get(logDir) !== held) return;
        this.open.delete(logDir);
        indexer.close();
      },
    };
  }

  /** Directories being indexed now. */
  dirs(): string[] {
    return [...this.open.keys()];
  }

  closeAll(): void {
    for (const { indexer } of this.open.values()) void indexer.then((i) => i.close()).catch(() => undefined);
    this.open.clear();
  }
}
