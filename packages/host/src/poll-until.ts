/** The wait ran out of time: `what` never happened within `timeoutMs`. */
export class WaitTimedOut extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`${what} did not happen within ${timeoutMs} ms`);
    this.name = 'WaitTimedOut';
  }
}

export interface WaitOptions {
  signal?: AbortSignal;
  timeoutMs: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Calls `check` until it answers true: first after 10 ms, then backing off to 100 ms, so a fast
 * server is seen within a few ms and a slow one costs little. Throws the signal's reason when
 * aborted and WaitTimedOut after `timeoutMs`.
 */
export async function pollUntil(
  what: string,
  check: () => Promise<boolean>,
  { signal, timeoutMs }: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    signal?.throwIfAborted();
    if (await check()) return;
    signal?.throwIfAborted();
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitTimedOut(what, timeoutMs);
    await sleep(Math.min(delay, left), signal);
    delay = Math.min(100, delay * 2);
  }
}
