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
 * Calls `check` until it answers true, waiting a tenth of the time waited so far between checks
 * (at least 2 ms, at most 100 ms): a server that is up after 5 ms is seen within ~2 ms of it, one
 * up after 40 ms within ~4 ms, and a slow one costs ten checks a second. (Doubling from 10 ms
 * made a node server that listens after ~35 ms wait until 70 ms.) Throws the signal's reason when
 * aborted and WaitTimedOut after `timeoutMs`.
 */
export async function pollUntil(
  what: string,
  check: () => Promise<boolean>,
  { signal, timeoutMs }: WaitOptions,
): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (await check()) return;
    signal?.throwIfAborted();
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitTimedOut(what, timeoutMs);
    const delay = Math.min(100, Math.max(2, (Date.now() - started) / 10));
    await sleep(Math.min(delay, left), signal);
  }
}
