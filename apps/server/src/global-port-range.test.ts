import { InvalidInput } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { globalPortRange, parseEphemeralRange, parsePortRangeSetting } from './global-port-range.js';

describe('globalPortRange keeps berth out of the kernel ephemeral range', () => {
  it('cuts the default to end below a range starting at 32768 (Linux default)', () => {
    const r = globalPortRange(undefined, [32768, 60999]);
    expect(r.range).toEqual([20000, 32767]);
    expect(r.why).toMatch(/cut to end below the kernel's ephemeral range 32768–60999/);
    expect(r.overlapsEphemeral).toBe(false);
  });

  it('keeps the default when the ephemeral range does not touch it', () => {
    expect(globalPortRange(undefined, [49152, 65535]).range).toEqual([20000, 40000]);
    expect(globalPortRange(undefined, undefined).range).toEqual([20000, 40000]);
  });

  it('takes the larger part of the default left beside the ephemeral range', () => {
    // 25000–38000 leaves 20000–24999 (5000) and 38001–40000 (2000)
    expect(globalPortRange(undefined, [25000, 38000]).range).toEqual([20000, 24999]);
    // 20500–30000 leaves 20000–20499 (500, too small) and 30001–40000
    const r = globalPortRange(undefined, [20500, 30000]);
    expect(r.range).toEqual([30001, 40000]);
    expect(r.why).toMatch(/end above/);
  });

  it('moves above an ephemeral range that starts low and covers the default, if there is room', () => {
    const r = globalPortRange(undefined, [10000, 60999]);
    expect(r.range).toEqual([61000, 65535]);
    expect(r.why).toMatch(/above the kernel's ephemeral range 10000–60999/);
    expect(r.overlapsEphemeral).toBe(false);
  });

  it('keeps the default and says so when there is no room beside the ephemeral range', () => {
    const r = globalPortRange(undefined, [1024, 65000]);
    expect(r.range).toEqual([20000, 40000]);
    expect(r.overlapsEphemeral).toBe(true);
    expect(r.why).toMatch(/leaves no room/);
  });

  it('lets an explicit setting win, saying when it overlaps', () => {
    expect(globalPortRange([40000, 45000], [32768, 60999])).toMatchObject({
      range: [40000, 45000],
      overlapsEphemeral: true,
    });
    expect(globalPortRange([10000, 12000], [32768, 60999])).toEqual({
      range: [10000, 12000],
      why: 'set by BERTH_PORT_RANGE',
      overlapsEphemeral: false,
    });
  });

  it('reads the kernel file and the setting', () => {
    expect(parseEphemeralRange('32768\t60999\n')).toEqual([32768, 60999]);
    expect(parseEphemeralRange('')).toBeUndefined();
    expect(parseEphemeralRange(undefined)).toBeUndefined();
    expect(parseEphemeralRange('60999 32768')).toBeUndefined();
    expect(parsePortRangeSetting('BERTH_PORT_RANGE', ' 21000-22000 ')).toEqual([21000, 22000]);
    expect(parsePortRangeSetting('BERTH_PORT_RANGE', undefined)).toBeUndefined();
    expect(() => parsePortRangeSetting('BERTH_PORT_RANGE', '22000-21000')).toThrow(InvalidInput);
  });
});
