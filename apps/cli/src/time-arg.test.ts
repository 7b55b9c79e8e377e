import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { parseCount, parseSince } from './time-arg.js';

describe('parseSince', () => {
  const now = Date.UTC(2026, 0, 1, 12);
  it('reads durations back from now, ISO times and epoch milliseconds', () => {
    expect(parseSince('5m', now)).toBe(now - 5 * 60_000);
    expect(parseSince('1h', now)).toBe(now - 3_600_000);
    expect(parseSince('30s', now)).toBe(now - 30_000);
    expect(parseSince('1.5d', now)).toBe(now - 1.5 * 86_400_000);
    expect(parseSince('2026-01-01T11:00:00Z', now)).toBe(Date.UTC(2026, 0, 1, 11));
    expect(parseSince('1767268800000', now)).toBe(1767268800000);
  });
  it('rejects anything else as invalid input', () => {
    expect(() => parseSince('yesterday')).toThrow(CliError);
    expect(() => parseSince('5 minutes')).toThrow(/duration like 5m/);
    expect(() => parseCount('-1', '--tail')).toThrow(/--tail/);
    expect(parseCount('20', '--tail')).toBe(20);
  });
});
