import type { LookBudget } from './look-budget.js';
import type { Probe } from './probe.js';

/** The wait ran out of time: `what` never happened within `timeoutMs`; `reason` is the last probe's. */
export class WaitTimedOut extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly reason?: string,
  ) {
    super(`${what} did not happen within ${timeoutMs} ms`);
    this.name = 'WaitTimedOut';
  }
}

/** How long to wait before look number `attempt + 1`, `waitedMs` into the wait. */
export type Pace = (attempt: number, waitedMs: number) => number;

/**
 * A tenth of the time waited so far (at least 2 ms, at most `maxMs`): a server that is up after
 * 5 ms is seen within ~2 ms of it, one up after 40 ms within ~4 ms, and a slow one costs ten looks
 * a second. (Doubling from 10 ms made a node server that listens after ~35 ms wait until 70 ms.)
 */
export const paceByWaited =
  (maxMs = 100): Pace =>
  (_, waitedMs) =>
    Math.min(maxMs, Math.max(2, waitedMs / 10));

/** `firstMs`, doubled each look up to `maxMs`: for looks that cost a call to an engine. */
export const paceDoubling =
  (firstMs: number, maxMs: number): Pace =>
  (attempt) =>
    Math.min(maxMs, firstMs * 2 ** attempt);

export interface ReadyOptions {
  /** What is waited for, as the timeout's message says it ("port 80 accepting connections"). */
  what: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Between looks; paceByWaited() unless given. */
  pace?: Pace;
  /** Shared by waits whose looks cost (connects): puts looks beyond its rate off (see LookBudget). */
  budget?: LookBudget;
}

/**
 * Looks at `probe` until it says ready, then closes it. Throws what the probe throws, the
 * signal's reason when aborted, and WaitTimedOut (with the last reason) after `timeoutMs`.
 */
export async function waitUntilReady(probe: Probe, opts: ReadyOptions): Promise<void> {
  const { what, timeoutMs, signal, pace = paceByWaited(), budget } = opts;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let changed = probe.changed?.().then(() => {
    changed = undefined;
  });
  try {
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const result = await probe.check(signal);
      if (result.ok) return;
      signal?.throwIfAborted();
      const left = deadline - Date.now();
      if (left <= 0) throw new WaitTimedOut(what, timeoutMs, result.reason);
      const wanted = pace(attempt, Date.now() - started);
      await pause(Math.min(budget ? budget.delay(wanted) : wanted, left), signal, changed);
    }
  } finally {
    probe.close?.();
  }
}

/** Waits `ms`, or less when the signal aborts or `wake` resolves. */
function pause(ms: number, signal: AbortSignal | undefined, wake: Promise<void> | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    wake?.then(done);
  });
}
