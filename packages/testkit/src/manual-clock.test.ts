import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('runs due timers in time order, reading each timer its own time', async () => {
    const clock = new ManualClock(1000);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 100);
    clock.setTimeout(() => seen.push(`late@${clock.now()}`), 500);
    await clock.advance(300);
    expect(seen).toEqual(['a@1100', 'b@1200']);
    expect(clock.now()).toBe(1300);
    expect(clock.pending).toBe(1);
  });

  it('repeats intervals and stops them when cancelled', async () => {
    const clock = new ManualClock(0);
    let n = 0;
    const cancel = clock.setInterval(() => n++, 100);
    await clock.advance(350);
    expect(n).toBe(3);
    cancel();
    await clock.advance(1000);
    expect(n).toBe(3);
    expect(clock.pending).toBe(0);
  });

  it('runs a timer that a timer sets when it falls due in the same advance', async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => seen.push(clock.now()), 50), 50);
    await clock.advance(100);
    expect(seen).toEqual([100]);
  });

  it('sleep resolves on advance and rejects when aborted', async () => {
    const clock = new ManualClock(0);
    let woke = false;
    const sleeping = clock.sleep(500).then(() => {
      woke = true;
    });
    await clock.advance(499);
    expect(woke).toBe(false);
    await clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
    const ac = new AbortController();
    const aborted = clock.sleep(100, ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
  });
});
