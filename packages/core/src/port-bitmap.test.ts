import { describe, expect, it } from 'vitest';
import { PortBitmap } from './port-bitmap.js';

describe('PortBitmap', () => {
  it('skips full words and honours the predicate', () => {
    const bm = new PortBitmap();
    for (let p = 20000; p < 20100; p++) bm.add(p);
    expect(bm.firstClear(20000, 40000, () => true)).toBe(20100);
    expect(bm.firstClear(20000, 40000, (p) => p !== 20100)).toBe(20101);
    bm.delete(20050);
    expect(bm.firstClear(20000, 40000, () => true)).toBe(20050);
    expect(bm.firstClear(20000, 20049, () => true)).toBeNull();
    expect(bm.has(65535)).toBe(false);
    bm.add(65535);
    expect(bm.has(65535)).toBe(true);
  });
});
