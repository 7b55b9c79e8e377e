import { describe, expect, it } from 'vitest';
import { LookBudget } from './look-budget.js';
import { notYet, type Probe, READY } from './probe.js';
import { waitUntilReady } from './wait-until-ready.js';

describe('LookBudget', () => {
  it('lets a burst through at the pace asked, then one look per slot, in the order asked', () => {
    let now = 0;
    const budget = new LookBudget(100, 3, () => now); // a slot every 10 ms
    expect([budget.delay(0), budget.delay(0), budget.delay(0)]).toEqual([0, 0, 0]);
    expect(budget.delay(0)).toBe(10);
    expect(budget.delay(0)).toBe(20);
    expect(budget.delay(2)).toBe(30);
    now = 1_000; // idle long enough: the burst is back
    expect([budget.delay(5), budget.delay(5), budget.delay(5), budget.delay(5)]).toEqual([5, 5, 5, 15]);
  });

  it('never makes a look come sooner than asked', () => {
    let now = 0;
    const budget = new LookBudget(1_000, 1, () => now);
    for (let i = 0; i < 50; i++) {
      now += 7;
      expect(budget.delay(40)).toBeGreaterThanOrEqual(40);
    }
  });

  it('spreads the looks of many waits at once: 10 waits over 200 ms look ~ rate × time, not at their own pace', async () => {
    const budget = new LookBudget(200, 10);
    let looks = 0;
    const never: Probe = {
      check: async () => {
        looks++;
        return notYet('not yet');
      },
    };
    const waits = Array.from({ length: 10 }, () =>
      waitUntilReady(never, { what: 'never', timeoutMs: 200, pace: () => 1, budget }).catch(() => undefined),
    );
    await Promise.all(waits);
    // at their own pace (1 ms) the ten would have looked ~2,000 times
    expect(looks).toBeGreaterThan(10 + 10);
    expect(looks).toBeLessThan(10 + 10 + 200 * 0.2 + 15);
    let once = 0;
    const ready: Probe = {
      check: async () => {
        once++;
        return READY;
      },
    };
    await waitUntilReady(ready, { what: 'ready', timeoutMs: 100, budget });
    expect(once).toBe(1);
  });
});
