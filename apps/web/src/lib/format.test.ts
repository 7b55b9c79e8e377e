import { describe, expect, it } from 'vitest';
import { formatUptime } from './format';

describe('formatUptime', () => {
  it('says an uptime in its two largest units', () => {
    expect(formatUptime(0)).toBe('0 s');
    expect(formatUptime(59_999)).toBe('59 s');
    expect(formatUptime(12 * 60_000 + 5_000)).toBe('12 min');
    expect(formatUptime((3 * 3600 + 12 * 60) * 1000)).toBe('3 h 12 min');
    expect(formatUptime((2 * 86400 + 4 * 3600) * 1000)).toBe('2 d 4 h');
    expect(formatUptime(-1)).toBe('0 s');
  });
});
