import { describe, expect, it } from 'vitest';
import { newLines } from './log-merge';

const out = (...lines: string[]) => lines.map((line) => ({ stream: 'stdout', line }));

describe('newLines', () => {
  it('takes every line of the first snapshot', () => {
    expect(newLines(new Map(), out('a', 'b'))).toEqual(out('a', 'b'));
  });

  it('keeps only what follows the overlap with earlier snapshots', () => {
    const known = new Map<string, string[]>();
    newLines(known, out('a', 'b', 'c'));
    expect(newLines(known, out('b', 'c', 'd', 'e'))).toEqual(out('d', 'e'));
    expect(newLines(known, out('d', 'e'))).toEqual([]);
  });

  it('keeps repeated identical lines that are really new', () => {
    const known = new Map<string, string[]>();
    newLines(known, out('ping', 'ping'));
    expect(newLines(known, out('ping', 'ping', 'ping'))).toEqual(out('ping'));
  });

  it('matches each stream on its own', () => {
    const known = new Map<string, string[]>();
    newLines(known, [...out('a'), { stream: 'stderr', line: 'x' }]);
    expect(newLines(known, [...out('a', 'b'), { stream: 'stderr', line: 'x' }])).toEqual(out('b'));
  });

  it('keeps new lines of both streams in the order written', () => {
    const known = new Map<string, string[]>();
    const err = (line: string) => ({ stream: 'stderr', line });
    newLines(known, [...out('1'), err('2')]);
    const next = [...out('1'), err('2'), ...out('3'), err('4'), ...out('5')];
    expect(newLines(known, next)).toEqual([...out('3'), err('4'), ...out('5')]);
  });

  it('takes the whole snapshot when more lines arrived than it holds', () => {
    const known = new Map<string, string[]>();
    newLines(known, out('a', 'b'));
    expect(newLines(known, out('c', 'd'))).toEqual(out('c', 'd'));
  });
});
