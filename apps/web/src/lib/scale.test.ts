import { describe, expect, it } from 'vitest';
import { niceCeiling, niceTicks } from './scale';

describe('niceCeiling', () => {
  it('rounds a bit above the value to 1, 2, 2.5 or 5 × 10^k', () => {
    expect(niceCeiling(0.8)).toBe(1);
    expect(niceCeiling(42)).toBe(50);
    expect(niceCeiling(44_600_000)).toBe(100_000_000);
    expect(niceCeiling(2000)).toBe(2500);
  });

  it('gives 1 for nothing to scale', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(Number.NaN)).toBe(1);
  });
});

describe('niceTicks', () => {
  it('steps of 1, 2 or 5 × 10^k up to just above the largest value', () => {
    expect(niceTicks(3.2)).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks(0.31)).toEqual([0, 0.1, 0.2, 0.30000000000000004, 0.4]);
    expect(niceTicks(180)).toEqual([0, 50, 100, 150, 200]);
  });

  it('steps bytes in powers of 1024', () => {
    const MiB = 1024 * 1024;
    expect(niceTicks(45 * MiB, { bytes: true })).toEqual([0, 20 * MiB, 40 * MiB, 60 * MiB]);
  });

  it('scales nothing to 0–1', () => {
    expect(niceTicks(0)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, { bytes: true })).toEqual([0, 500, 1000]);
  });
});
