import { describe, expect, it } from 'vitest';
import { Foreground, GIVE_WAY_MAX_MS, SLICE_MS, TimeSlices } from './time-slices.js';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('TimeSlices: a long pass in slices', () => {
  it('is due once a slice worth of work is done, and not before', () => {
    const slices = new TimeSlices();
    expect(slices.due()).toBe(false);
    busy(SLICE_MS + 1);
    expect(slices.due()).toBe(true);
  });

  it('a turn lets waiting I/O and timers run, then starts a new slice', async () => {
    const slices = new TimeSlices(2);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    busy(3);
    expect(slices.due()).toBe(true);
    await slices.turn();
    expect(ran).toBe(true);
    expect(slices.due()).toBe(false);
  });

  it('a loop of 30 ms of work with slices of 2 ms lets a waiting callback in early', async () => {
    const slices = new TimeSlices(2);
    const start = performance.now();
    let waitedMs = -1;
    setImmediate(() => {
      waitedMs = performance.now() - start;
    });
    for (let i = 0; i < 30; i++) {
      if (slices.due()) await slices.turn();
      busy(1);
    }
    expect(waitedMs).toBeGreaterThanOrEqual(0);
    expect(waitedMs).toBeLessThan(25); // unsliced: 30 ms or more
  });
});

describe('Foreground: passes give way to requests in flight', () => {
  it('a turn waits while a request is in flight and goes on when it ends', async () => {
    const requests = new Foreground();
    const slices = new TimeSlices(1, requests);
    const end = requests.enter();
    let turned = false;
    const turning = slices.turn().then(() => {
      turned = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(turned).toBe(false);
    end();
    end(); // twice: counted once
    await turning;
    expect(turned).toBe(true);
    expect(requests.busy).toBe(false);
  });

  it('a pass is never starved: a turn goes on after GIVE_WAY_MAX_MS of requests', async () => {
    const requests = new Foreground();
    requests.enter();
    const t = performance.now();
    await new TimeSlices(1, requests).turn();
    const waited = performance.now() - t;
    expect(waited).toBeGreaterThanOrEqual(GIVE_WAY_MAX_MS - 2);
    expect(waited).toBeLessThan(GIVE_WAY_MAX_MS + 500);
  });

  it('passes share one slice: two passes woken together take one slice between them', async () => {
    const requests = new Foreground();
    const a = new TimeSlices(4, requests);
    const b = new TimeSlices(4, requests);
    busy(5);
    expect(a.due()).toBe(true);
    expect(b.due()).toBe(true); // a's work counts for b too
    await a.turn();
    expect(b.due()).toBe(false); // the slice a began is b's as well
  });
});
