/** Stops a scheduled timer; calling it twice, or after the timer ran, does nothing. */
export type CancelTimer = () => void;

/**
 * Time and timers. Code that waits or schedules goes through this (never `setTimeout` directly)
 * so tests can drive it with a `ManualClock` instead of sleeping.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` once after `ms`; the timer does not keep the process alive. */
  setTimeout(fn: () => void, ms: number): CancelTimer;
  /** Runs `fn` every `ms` until cancelled; the timer does not keep the process alive. */
  setInterval(fn: () => void, ms: number): CancelTimer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  },
  setInterval: (fn, ms) => {
    const timer = setInterval(fn, ms);
    timer.unref?.();
    return () => clearInterval(timer);
  },
};
