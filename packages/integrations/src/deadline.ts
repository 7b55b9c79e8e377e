import { TimeoutError } from './connection-failure.js';

/** A signal that aborts with TimeoutError after `ms`, or when `parent` aborts. */
export function deadline(ms: number, parent?: AbortSignal): AbortSignal {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new TimeoutError(ms)), ms);
  timer.unref();
  const onParent = () => ac.abort(parent?.reason);
  if (parent?.aborted) onParent();
  parent?.addEventListener('abort', onParent, { once: true });
  ac.signal.addEventListener(
    'abort',
    () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
    { once: true },
  );
  return ac.signal;
}

/** `work`, or the signal's reason as soon as it aborts — for libraries that ignore signals. */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
