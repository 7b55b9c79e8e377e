/** Work a long pass does before it gives the event loop a turn. */
export const SLICE_MS = 8;
/** The longest a pass waits for requests in flight to end before it goes on anyway. */
export const GIVE_WAY_MAX_MS = 50;
/** A slice while requests come one after another (one ended within RECENT_MS): a request read after a slice waited that long. */
export const BUSY_SLICE_MS = 2;
const RECENT_MS = 100;

/**
 * Requests being answered (the API counts each from its arrival to its response's end). Background
 * passes give way to them: with 10,000 instances, a GET /instances writes 8 MB over many turns of
 * the event loop, and a slice of every pass ran before each turn.
 */
export class Foreground {
  private active = 0;
  private waiters: (() => void)[] = [];
  /** When the current slice of background work began (one slice for every pass, see `turn`). */
  sliceStart = performance.now();
  /** When the last request in flight ended. */
  lastEnd = Number.NEGATIVE_INFINITY;
  private nextTurn: Promise<void> | undefined;

  /** One request begins; the function returned ends it (calling it again does nothing). */
  enter(): () => void {
    this.active++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.active > 0) return;
      this.lastEnd = performance.now();
      for (const wake of this.waiters.splice(0)) wake();
    };
  }

  get busy(): boolean {
    return this.active > 0;
  }

  /**
   * The next turn of the event loop, shared by every pass that yields before it: after it (and
   * after the requests in flight, GIVE_WAY_MAX_MS at most) one slice begins, for all of them. Each
   * waking pass began a slice of its own before: the tick, the sampler and eight rotation workers
   * woken after a request took ~130 ms before the next one was read.
   */
  turn(): Promise<void> {
    this.nextTurn ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.idle(GIVE_WAY_MAX_MS))
      .then(() => {
        this.nextTurn = undefined;
        this.sliceStart = performance.now();
      });
    return this.nextTurn;
  }

  /** Resolves when no request is in flight, or after `maxMs` (a pass is never starved). */
  idle(maxMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve();
      }, maxMs);
      timer.unref?.();
      this.waiters.push(wake);
    });
  }
}

/** The process's requests in flight: the API server enters each, passes give way to them. */
export const foreground = new Foreground();

/**
 * A long pass over many instances (the reconciler's tick, the resource sampler's pass, the process
 * runtime's list, the log rotation) in slices: after SLICE_MS of work it gives the event loop a
 * turn, and waits for the requests in flight to be answered (at most GIVE_WAY_MAX_MS), so a request
 * waits behind it about a slice whatever the count. With 10,000 instances one unbroken pass held
 * GET /instances 100–300 ms; a count of items per slice did not hold either, since a read of /proc
 * costs 20 µs on a quiet machine and 1 ms on a busy one.
 *
 *     const slices = new TimeSlices();
 *     for (const item of items) {
 *       if (slices.due()) await slices.turn();
 *       …
 *     }
 *
 * Real time (performance.now), not the Clock: a pass takes real time whatever clock drives it.
 */
export class TimeSlices {
  /** A pass begins a slice, or goes on in the one under way. */
  constructor(
    private readonly budgetMs = SLICE_MS,
    private readonly requests: Foreground = foreground,
  ) {
    if (this.due()) requests.sliceStart = performance.now();
  }

  /**
   * Whether this slice's time is up: `await turn()` before the next item (~60 ns a look). While
   * requests come one after another a slice is BUSY_SLICE_MS: the passes go slower, the requests
   * do not wait behind them.
   */
  due(): boolean {
    const now = performance.now();
    const budget =
      now - this.requests.lastEnd < RECENT_MS ? Math.min(this.budgetMs, BUSY_SLICE_MS) : this.budgetMs;
    return now - this.requests.sliceStart >= budget;
  }

  /** One turn of the event loop (timers, I/O, requests waiting run), then the next shared slice. */
  turn(): Promise<void> {
    return this.requests.turn();
  }
}
