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

  it('grows its buffer as samples come, up to capacity, keeping order across the growth and the wrap', () => {
    const r = new SampleRing(40);
    const sample = (t: number) => ({
      ts: t,
      cpuPercent: t / 2,
      memoryBytes: t * 4096,
      memoryPercent: t / 4,
      diskBytes: t % 3 === 0 ? null : t * 10,
    });
    expect(r.allocated).toBeLessThan(40);
    for (let t = 1; t <= 20; t++) r.push(sample(t));
    expect(r.allocated).toBeLessThan(40);
    expect(r.toArray()).toEqual(Array.from({ length: 20 }, (_, k) => sample(k + 1)));
    for (let t = 21; t <= 100; t++) r.push(sample(t));
    expect(r.allocated).toBe(40);
    expect(r.toArray()).toEqual(Array.from({ length: 40 }, (_, k) => sample(k + 61)));
    expect(r.toArray(98)).toEqual([sample(99), sample(100)]);
    expect(r.latest()).toEqual(sample(100));
    expect(new SampleRing(5).latest()).toBeUndefined();
  });

  it('past ten minutes of samples keeps older ones as averages of 12, spanning the same capacity', () => {
    const r = new SampleRing(156); // 120 as taken + 3 averages of 12
    const sample = (t: number) => ({
      ts: t,
      cpuPercent: t,
      memoryBytes: t * 100,
      memoryPercent: t / 10,
      diskBytes: t % 5 === 0 ? t : null,
    });
    const times = () => r.toArray().map((s) => s.ts);
    for (let t = 1; t <= 156; t++) r.push(sample(t));
    expect(times()).toEqual([12, 24, 36, ...Array.from({ length: 120 }, (_, k) => k + 37)]);
    expect(r.toArray()[0]).toEqual({
      ts: 12,
      cpuPercent: 6.5,
      memoryBytes: 650,
      memoryPercent: 0.65,
      diskBytes: 10,
    });
    expect(r.allocated).toBeLessThanOrEqual(124);
    for (let t = 157; t <= 162; t++) r.push(sample(t));
    // 37–42 fold into the next average, shown as it stands
    expect(r.toArray()[3]).toEqual({
      ts: 42,
      cpuPercent: 39.5,
      memoryBytes: 3950,
      memoryPercent: 3.95,
      diskBytes: 40,
    });
    for (let t = 163; t <= 168; t++) r.push(sample(t));
    expect(times()).toEqual([24, 36, 48, ...Array.from({ length: 120 }, (_, k) => k + 49)]);
    expect(r.toArray(36).map((s) => s.ts)[0]).toBe(48);
    expect(r.latest()).toEqual(sample(168));
  });
});
