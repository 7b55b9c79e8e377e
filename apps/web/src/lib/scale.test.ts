import { describe, expect, it } from 'vitest';
import { niceCeiling } from './scale';

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
