import { describe, expect, it } from 'vitest';
import { SampleRing } from './sample-ring.js';

describe('SampleRing', () => {
  it('keeps the newest `capacity` samples, oldest first, filtered by since', () => {
    const r = new SampleRing(3);
    for (let t = 1; t <= 5; t++)
      r.push({
        ts: t,
        cpuPercent: t * 10,
        memoryBytes: t,
        memoryPercent: 1.234,
        diskBytes: t === 5 ? null : 7,
      });
    expect(r.toArray().map((s) => s.ts)).toEqual([3, 4, 5]);
    expect(r.toArray(4).map((s) => s.ts)).toEqual([5]);
    expect(r.latest()).toEqual({
      ts: 5,
      cpuPercent: 50,
      memoryBytes: 5,
      memoryPercent: 1.23,
      diskBytes: null,
    });
  });
});
