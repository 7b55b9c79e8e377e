import { describe, expect, it } from 'vitest';
import { DockerLogDecoder, parseEngineTime } from './docker-log-decoder.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

describe('DockerLogDecoder', () => {
  it('splits frames into timestamped lines on the right stream, across chunk boundaries', () => {
    const all = Buffer.concat([
      frame(1, '2026-11-22T03:57:59.123456789Z hello\n2026-11-22T03:57:59.5Z par'),
      frame(2, '2026-11-22T03:58:00Z oops\n'),
      frame(1, 'tial\n'),
    ]);
    const d = new DockerLogDecoder();
    const lines = [
      ...d.push(all.subarray(0, 5)),
      ...d.push(all.subarray(5, 40)),
      ...d.push(all.subarray(40)),
    ];
    expect(lines).toEqual([
      { ts: Date.parse('2026-11-22T03:57:59.123Z'), stream: 'stdout', line: 'hello' },
      { ts: Date.parse('2026-11-22T03:58:00Z'), stream: 'stderr', line: 'oops' },
      { ts: Date.parse('2026-11-22T03:57:59.500Z'), stream: 'stdout', line: 'partial' },
    ]);
    expect(d.end()).toEqual([]);
  });

  it('flushes a last line without a newline at the end', () => {
    const d = new DockerLogDecoder();
    expect(d.push(frame(1, '2026-11-22T03:57:59Z last'))).toEqual([]);
    expect(d.end().map((l) => l.line)).toEqual(['last']);
  });

  it('treats the zero time and garbage as "not a time"', () => {
    expect(parseEngineTime('0001-01-01T00:00:00Z')).toBeNaN();
    expect(parseEngineTime('yesterday')).toBeNaN();
  });
});
