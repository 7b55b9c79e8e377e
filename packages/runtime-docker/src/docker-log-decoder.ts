import type { LogLine } from '@berth/core';

const STREAMS: Record<number, LogLine['stream']> = { 0: 'stdout', 1: 'stdout', 2: 'stderr' };

/**
 * Decodes the Engine API's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, size)
 * with `timestamps: true` into LogLines, across chunk boundaries and partial lines.
 */
export class DockerLogDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<string, string> = { stdout: '', stderr: '' };

  push(chunk: Buffer): LogLine[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: LogLine[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const stream = STREAMS[this.pending[0] ?? 1] ?? 'stdout';
      const text = this.pending.subarray(8, 8 + size).toString('utf8');
      this.pending = this.pending.subarray(8 + size);
      out.push(...this.lines(stream, text));
    }
    return out;
  }

  /** Whatever is left without a final newline. */
  end(): LogLine[] {
    const out: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) out.push(parseTimestamped(stream, this.partial[stream]));
      this.partial[stream] = '';
    }
    return out;
  }

  private lines(stream: LogLine['stream'], text: string): LogLine[] {
    const parts = (this.partial[stream] + text).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    return parts.map((p) => parseTimestamped(stream, p));
  }
}

/** `2026-11-22T03:57:59.123456789Z hello` → { ts, line: 'hello' }. */
export function parseTimestamped(stream: LogLine['stream'], raw: string): LogLine {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const space = text.indexOf(' ');
  const ts = space > 0 ? parseEngineTime(text.slice(0, space)) : Number.NaN;
  if (Number.isNaN(ts)) return { ts: Date.now(), stream, line: text };
  return { ts, stream, line: text.slice(space + 1) };
}

/** RFC 3339 with nanoseconds → epoch milliseconds (NaN when it is not a time, or the zero time). */
export function parseEngineTime(value: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!m) return Number.NaN;
  const ms = (m[2] ?? '').padEnd(3, '0').slice(0, 3);
  const ts = Date.parse(`${m[1]}.${ms}${m[3]}`);
  return ts > 0 ? ts : Number.NaN;
}
