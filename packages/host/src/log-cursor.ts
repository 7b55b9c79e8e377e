import { open, stat } from 'node:fs/promises';
import type { LogRotation, LogRotationFeed } from './log-rotation-feed.js';

/** Reads the bytes [start, end) of a file (end: its size); empty when it does not exist. */
export async function readRange(path: string, start: number, end?: number): Promise<Buffer> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const stop = end ?? (await fh.stat()).size;
    if (stop <= start) return Buffer.alloc(0);
    const buf = Buffer.alloc(stop - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * A reader's place in one growing log file. With a rotation feed it keeps its place across
 * rotations: at offset O when K bytes move to `<file>.1`, it continues at O−K, or, when it had not
 * read them all yet, first takes [O, K) from `<file>.1` — no line lost, none read twice.
 */
export class LogCursor {
  private partial = Buffer.alloc(0);
  private carried: Buffer[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    readonly path: string,
    public offset: number,
    private readonly feed?: LogRotationFeed,
  ) {
    this.unsubscribe = feed?.subscribe(path, (r) => this.onRotation(r)) ?? (() => undefined);
  }

  private async onRotation(r: LogRotation): Promise<void> {
    if (this.offset < r.movedBytes) {
      // The moved bytes are the last `movedBytes` of the rotated file.
      const base = (await sizeOf(r.rotatedPath)) - r.movedBytes;
      this.carried.push(await readRange(r.rotatedPath, base + this.offset, base + r.movedBytes));
      this.offset = 0;
      return;
    }
    this.offset = r.mode === 'collapse' ? this.offset - r.movedBytes : 0;
  }

  /** Bytes appended since the last call (rotated bytes first), under the file's lock when shared. */
  private async fresh(): Promise<Buffer> {
    const read = async () => {
      if ((await sizeOf(this.path)) < this.offset) {
        this.offset = 0; // truncated by someone else: what is there now is new
        this.partial = Buffer.alloc(0);
      }
      const chunk = await readRange(this.path, this.offset);
      this.offset += chunk.length;
      const out = Buffer.concat([...this.carried, chunk]);
      this.carried = [];
      return out;
    };
    return this.feed ? this.feed.withLock(this.path, read) : read();
  }

  /** Complete lines appended since the last call; a cut last line waits for its newline. */
  async advance(): Promise<string[]> {
    const fresh = await this.fresh();
    if (fresh.length === 0) return [];
    const data = Buffer.concat([this.partial, fresh]);
    const end = data.lastIndexOf(10);
    this.partial = data.subarray(end + 1);
    return end < 0 ? [] : splitLines(data.subarray(0, end + 1).toString('utf8'));
  }

  close(): void {
    this.unsubscribe();
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
