import { describe, expect, it } from 'vitest';
import { formatBytes, formatPercent, sparkline } from './format-units.js';

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
});
