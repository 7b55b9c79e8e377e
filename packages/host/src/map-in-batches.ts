import { setImmediate } from 'node:timers/promises';

/**
 * Maps with a synchronous function, yielding to the event loop every `batch` items: for scans of
 * /proc, where one synchronous read costs microseconds and a promise per file costs far more.
 */
export async function mapInBatches<T, R>(items: readonly T[], fn: (item: T) => R, batch = 256): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % batch === 0) await setImmediate();
    out.push(fn(items[i]!));
  }
  return out;
}
