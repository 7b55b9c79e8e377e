import type { CancelTimer, Clock } from '@berth/core';

interface Timer {
  id: number;
  at: number;
  every: number | null;
  fn: () => void;
}

/**
 * A `Clock` whose time moves only when a test says so. `advance(ms)` runs every timer that falls
 * due on the way, in time order (ties in the order they were set), with the clock reading each
 * timer's own time while it runs; `sleep` is a timer too.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): CancelTimer {
    return this.add(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): CancelTimer {
    return this.add(fn, ms, Math.max(1, ms));
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const cancel = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        cancel();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Timers still scheduled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running due timers; awaits the promises they start between each. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (let t = this.due(end); t; t = this.due(end)) {
      this.time = t.at;
      if (t.every === null) this.timers.delete(t.id);
      else t.at += t.every;
      t.fn();
      await settle();
    }
    this.time = end;
    await settle();
  }

  private add(fn: () => void, ms: number, every: number | null): CancelTimer {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.time + Math.max(0, ms), every, fn });
    return () => this.timers.delete(id);
  }

  private due(end: number): Timer | undefined {
    let first: Timer | undefined;
    for (const t of this.timers.values()) if (t.at <= end && (!first || t.at < first.at)) first = t;
    return first;
  }
}

/** Lets promise chains started by a timer run to their next real wait. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
