import { describe, expect, it } from 'vitest';
import { formatBytes, formatPercent, formatUptime, sparkline } from './format-units.js';

describe('units', () => {
  it('formats bytes, percentages and sparklines', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatBytes(null)).toBe('-');
    expect(formatPercent(12.345)).toBe('12.3%');
    expect(sparkline([0, 50, 100])).toBe('▁▅█');
    expect(sparkline([3, 3])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });

  it('formats an uptime in its two largest units', () => {
    expect(formatUptime(0)).toBe('0s');
    expect(formatUptime(45_900)).toBe('45s');
    expect(formatUptime((12 * 60 + 5) * 1000)).toBe('12m 5s');
    expect(formatUptime((3 * 3600 + 12 * 60 + 59) * 1000)).toBe('3h 12m');
    expect(formatUptime((2 * 86400 + 4 * 3600 + 1) * 1000)).toBe('2d 4h');
    expect(formatUptime(-5)).toBe('0s');
  });
});
